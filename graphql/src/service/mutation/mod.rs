//! The mutations of Service: one module each, holding its input, payload, access rule and
//! resolver; this module holds what several of them share (the details input and its parse).

use std::collections::BTreeSet;

use crate::enums::{AccessRoute, ServiceKind};
use crate::graph::Service;
use crate::lens::Lens;
use crate::mutation::*;
use aggregates::ids::*;
use aggregates::service::{Contacts, Service as ServiceAggregate, ServiceCommand, ServiceDetails};
use aggregates::values::{Email, Link, MunicipalityCode, PhoneNumber};
use chrono::NaiveDate;

mod close_service;
mod confirm_service;
mod register_service;
mod reopen_service;
mod suspend_service;
mod update_service;

pub use close_service::*;
pub use confirm_service::*;
pub use register_service::*;
pub use reopen_service::*;
pub use suspend_service::*;
pub use update_service::*;

/// At most this many municipalities (a whole region's worth) and provinces in a territory.
const TERRITORY_MAX: usize = 2_000;
const PROVINCES_MAX: usize = 20;
const LANGUAGES_MAX: usize = 30;

/// A service's institutional contact points: never a person's own (a registered person's
/// phone number or e-mail address is refused).
#[derive(InputObject, Default)]
pub struct ServiceContactsInput {
    /// A switchboard or helpline number.
    pub switchboard: Option<String>,
    /// A functional mailbox (e.g. info@…).
    pub mailbox: Option<String>,
    /// Its website (https).
    pub website: Option<String>,
}

/// What a service is and how to reach it (an update replaces all of it).
#[derive(InputObject)]
pub struct ServiceDetailsInput {
    /// Its name.
    pub name: String,
    /// What kind of service it is.
    pub kind: ServiceKind,
    /// The municipalities served, by six-digit ISTAT code.
    #[graphql(default)]
    pub municipalities: Vec<String>,
    /// Whole provinces served (three-digit ISTAT code or abbreviation, e.g. PV): each stands
    /// for its municipalities existing on the effective date.
    #[graphql(default)]
    pub whole_provinces: Vec<String>,
    /// Who it is for.
    pub audience: String,
    /// How to access it (at least one route).
    pub access: Vec<AccessRoute>,
    /// By whom people are referred, when referral is a route.
    pub referral_from: Option<String>,
    /// When it is open (free text, screened: no phone numbers or e-mail addresses).
    pub opening_hours: Option<String>,
    /// The languages it works in.
    #[graphql(default)]
    pub languages: Vec<String>,
    /// How accessible it is.
    pub accessibility: Option<String>,
    /// Where it is. Refused for a shelter (casa rifugio), whose address is never recorded.
    pub address: Option<String>,
    /// Institutional contact points.
    pub contacts: Option<ServiceContactsInput>,
    /// Whether the public directory lists it (default true).
    #[graphql(default = true)]
    pub listed: bool,
}

fn optional<T>(
    p: &mut Parse,
    field: &str,
    value: &Option<String>,
    parse: impl FnOnce(&str) -> Result<T, aggregates::values::ValueError>,
) -> Option<Option<T>> {
    match value {
        None => Some(None),
        Some(v) => p.value(field, parse(v)).map(Some),
    }
}

/// Parses the details of a service effective on `on`: every field refused is recorded in `p`
/// (the domain checks the municipalities exist then, and the rest of its rules).
pub(crate) async fn details(
    ctx: &Context<'_>,
    p: &mut Parse,
    input: &ServiceDetailsInput,
    on: NaiveDate,
) -> Result<Option<ServiceDetails>, Refusal> {
    let name = p.name("details.name", &input.name);
    let audience = p.text("details.audience", &input.audience);
    let referral_from = p.opt_text("details.referralFrom", &input.referral_from);
    let opening_hours = p.opt_text("details.openingHours", &input.opening_hours);
    let accessibility = p.opt_text("details.accessibility", &input.accessibility);
    let address = p.opt_text("details.address", &input.address);
    let mut territory = BTreeSet::new();
    let mut territory_ok = true;
    if input.municipalities.len() > TERRITORY_MAX {
        p.fail(
            "details.municipalities",
            format!("details.municipalities: at most {TERRITORY_MAX}"),
            "INVALID_VALUE",
        );
        territory_ok = false;
    } else {
        for code in &input.municipalities {
            match p.value("details.municipalities", MunicipalityCode::parse(code)) {
                Some(code) => {
                    territory.insert(code);
                }
                None => territory_ok = false,
            }
        }
    }
    if input.whole_provinces.len() > PROVINCES_MAX {
        p.fail(
            "details.wholeProvinces",
            format!("details.wholeProvinces: at most {PROVINCES_MAX}"),
            "INVALID_VALUE",
        );
        territory_ok = false;
    } else if !input.whole_provinces.is_empty() {
        let list = crate::service::municipalities(ctx)
            .await
            .map_err(Refusal::Internal)?;
        for province in &input.whole_provinces {
            let found = list.of_province(province, on);
            if found.is_empty() {
                p.fail(
                    "details.wholeProvinces",
                    format!("details.wholeProvinces: no province has the ISTAT code or abbreviation {province:?} on {on}"),
                    "UNKNOWN_PROVINCE",
                );
                territory_ok = false;
            }
            for m in found {
                if let Ok(code) = MunicipalityCode::parse(&m.istat_code) {
                    territory.insert(code);
                }
            }
        }
    }
    let mut languages = Vec::new();
    let mut languages_ok = input.languages.len() <= LANGUAGES_MAX;
    if !languages_ok {
        p.fail(
            "details.languages",
            format!("details.languages: at most {LANGUAGES_MAX}"),
            "INVALID_VALUE",
        );
    }
    for language in input.languages.iter().take(LANGUAGES_MAX) {
        match p.name("details.languages", language) {
            Some(l) => languages.push(l),
            None => languages_ok = false,
        }
    }
    let given = input.contacts.as_ref();
    let none = ServiceContactsInput::default();
    let c = given.unwrap_or(&none);
    let switchboard = optional(
        p,
        "details.contacts.switchboard",
        &c.switchboard,
        PhoneNumber::parse,
    );
    let mailbox = optional(p, "details.contacts.mailbox", &c.mailbox, Email::parse);
    let website = optional(p, "details.contacts.website", &c.website, Link::parse);
    let mut access: Vec<aggregates::service::AccessRoute> = Vec::new();
    for route in &input.access {
        let route = (*route).into();
        if !access.contains(&route) {
            access.push(route);
        }
    }
    Ok((|| {
        Some(ServiceDetails {
            name: name?,
            kind: input.kind.into(),
            territory: territory_ok.then_some(territory)?,
            audience: audience?,
            access,
            referral_from: referral_from?,
            opening_hours: opening_hours?,
            languages: languages_ok.then_some(languages)?,
            accessibility: accessibility?,
            address: address?,
            contacts: Contacts {
                switchboard: switchboard?,
                mailbox: mailbox?,
                website: website?,
            },
            listed: input.listed,
        })
    })())
}

/// The access rules of these mutations.
pub(crate) const RULES: &[MutationRule] = &[
    register_service::RULE,
    update_service::RULE,
    suspend_service::RULE,
    reopen_service::RULE,
    close_service::RULE,
    confirm_service::RULE,
];

/// The mutations of Service.
#[derive(async_graphql::MergedObject, Default)]
pub struct ServiceMutation(
    RegisterServiceMutation,
    UpdateServiceMutation,
    SuspendServiceMutation,
    ReopenServiceMutation,
    CloseServiceMutation,
    ConfirmServiceMutation,
);

impl Reloaded for Service {
    async fn reload(ctx: &Context<'_>, id: &str) -> ApiResult<Option<Self>> {
        let Ok(uuid) = id.parse() else {
            return Ok(None);
        };
        Ok(read(ctx)
            .service(ServiceId(uuid), AsOf::Now)
            .await?
            .map(|view| Service {
                view,
                at: Lens::NOW,
            }))
    }
}

impl Target for Service {
    type Aggregate = ServiceAggregate;
    const FIELD: &'static str = "service";
    const KIND: NodeKind = NodeKind::Service;
}
