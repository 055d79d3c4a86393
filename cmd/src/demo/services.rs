//! The demo's services: those the source documents name (Liberamente, Kore and C.H.I.A.R.A.
//! and the CUAV in Pavia, Mia in Casalmaggiore, the BAT plan's centres and shelter, the Torino
//! listening points for men), with plausible territories and institutional contacts only.
//! Registered after the networks' memberships in recording order (the replay sorts by it).

use aggregates::service::*;

use super::*;

/// The networks and organizations the services belong to.
#[derive(Clone, Copy)]
pub(super) struct Providers {
    pub torino: NetworkId,
    pub cmto: OrganizationId,
    pub cuav: OrganizationId,
    pub pavia: NetworkId,
    pub prefettura: OrganizationId,
    pub liberamente: OrganizationId,
    pub kore: OrganizationId,
    pub chiara: OrganizationId,
    pub cuav_pv: OrganizationId,
    pub casalmaggiore: NetworkId,
    pub mia: OrganizationId,
    pub bat_network: NetworkId,
    pub bat: OrganizationId,
    pub ambiti: OrganizationId,
    pub asl_bt: OrganizationId,
}

impl Demo {
    /// Registers a service run by `organization` for `network`, serving the municipalities
    /// named (in `province`), with institutional contacts only; returns its id.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn service(
        &mut self,
        network: NetworkId,
        coordinator: OrganizationId,
        organization: OrganizationId,
        label: &str,
        kind: ServiceKind,
        province: &str,
        municipalities: &[&str],
        audience: &str,
        access: &[AccessRoute],
        on: NaiveDate,
    ) -> anyhow::Result<ServiceId> {
        self.group += 1;
        let list = projections::store::municipalities::Municipalities::parse_csv(
            projections::store::municipalities::SHIPPED,
        )
        .map_err(|e| anyhow!(e))?;
        let mut territory = std::collections::BTreeSet::new();
        for place in municipalities {
            let found = list
                .named(place)
                .into_iter()
                .find(|m| m.province_abbreviation == province)
                .ok_or_else(|| anyhow!("the demo names an unknown municipality {place}"))?;
            territory.insert(MunicipalityCode::parse(&found.istat_code)?);
        }
        if municipalities.is_empty() {
            for m in list.of_province(province, on) {
                territory.insert(MunicipalityCode::parse(&m.istat_code)?);
            }
        }
        let id = ServiceId::derived(&format!("demo/service/{network}/{label}"));
        let shelter = kind == ServiceKind::Shelter;
        let slug: String = label
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .take(24)
            .collect::<String>()
            .to_lowercase();
        let details = ServiceDetails {
            name: name(label),
            kind,
            territory,
            audience: text(audience),
            access: access.to_vec(),
            referral_from: access
                .contains(&AccessRoute::Referral)
                .then(|| text("i servizi sociali, sanitari e le forze dell'ordine della rete")),
            opening_hours: (!shelter).then(|| text("lunedì-venerdì 9-13 e 14-17")),
            languages: vec![name("italiano"), name("inglese")],
            accessibility: None,
            address: None,
            contacts: Contacts {
                switchboard: None,
                mailbox: (!shelter)
                    .then(|| Email::parse(&format!("info@{slug}.example.org")))
                    .transpose()?,
                website: Some(Link::parse(&format!("https://{slug}.example.org"))?),
            },
            listed: true,
        };
        self.run::<Service>(
            id,
            Some(coordinator),
            recorded(on),
            ServiceCommand::Register {
                id,
                network,
                organization,
                by: coordinator,
                details,
                registered_on: on,
            },
        )
        .await?;
        Ok(id)
    }
}

/// Registers the demo's services (and suspends one).
pub(super) async fn register(d: &mut Demo, p: &Providers) -> anyhow::Result<()> {
    let Providers {
        torino,
        cmto,
        cuav,
        pavia,
        prefettura,
        liberamente,
        kore,
        chiara,
        cuav_pv,
        casalmaggiore,
        mia,
        bat_network,
        bat,
        ambiti,
        asl_bt,
    } = *p;
    // The Tavolo's listening points for men who use violence (seed 000).
    d.service(
        torino,
        cmto,
        cuav,
        "Sportelli di ascolto per uomini autori di violenza (demo)",
        ServiceKind::ListeningPoint,
        "TO",
        &[
            "Torino",
            "Moncalieri",
            "Collegno",
            "Rivoli",
            "Settimo Torinese",
            "Nichelino",
        ],
        "uomini che agiscono violenza nelle relazioni affettive",
        &[aggregates::service::AccessRoute::Phone],
        day(2016, 1, 15),
    )
    .await?;

    // The services the Pavia workshop described (seed 002), for the CAS and SAI reception
    // centres to refer women to the right place.
    use AccessRoute::{Direct, Phone, Referral};
    let women = "donne che subiscono violenza, con i loro figli";
    d.service(
        pavia,
        prefettura,
        liberamente,
        "Centro antiviolenza Liberamente",
        ServiceKind::AntiViolenceCentre,
        "PV",
        &[
            "Pavia",
            "Certosa di Pavia",
            "San Martino Siccomario",
            "Cava Manara",
            "Travacò Siccomario",
        ],
        women,
        &[Direct, Phone],
        day(2015, 3, 1),
    )
    .await?;
    d.service(
        pavia,
        prefettura,
        kore,
        "Centro antiviolenza Kore",
        ServiceKind::AntiViolenceCentre,
        "PV",
        &[
            "Vigevano",
            "Mortara",
            "Garlasco",
            "Gambolò",
            "Cassolnovo",
            "Cilavegna",
            "Gravellona Lomellina",
        ],
        women,
        &[Direct, Phone],
        day(2015, 3, 1),
    )
    .await?;
    d.service(
        pavia,
        prefettura,
        chiara,
        "Centro antiviolenza C.H.I.A.R.A.",
        ServiceKind::AntiViolenceCentre,
        "PV",
        &[
            "Voghera",
            "Casteggio",
            "Stradella",
            "Broni",
            "Rivanazzano Terme",
        ],
        women,
        &[Direct, Phone],
        day(2015, 3, 1),
    )
    .await?;
    let mortara = d
        .service(
            pavia,
            prefettura,
            kore,
            "Sportello Kore a Mortara (demo)",
            ServiceKind::ListeningPoint,
            "PV",
            &["Mortara"],
            women,
            &[Direct],
            day(2016, 9, 1),
        )
        .await?;
    d.run::<Service>(
        mortara,
        Some(prefettura),
        recorded(day(2026, 11, 1)),
        ServiceCommand::Suspend {
            by: prefettura,
            reason: text("Trasferimento in una nuova sede comunale"),
            expected_reopening: Some(day(2027, 1, 15)),
            effective_on: day(2026, 11, 1),
        },
    )
    .await?;
    let men = "uomini che agiscono violenza nelle relazioni affettive";
    d.service(
        pavia,
        prefettura,
        cuav_pv,
        "Centro per uomini autori di violenza (CUAV) di Pavia",
        ServiceKind::PerpetratorProgramme,
        "PV",
        &[],
        men,
        &[Phone, Referral],
        day(2019, 1, 15),
    )
    .await?;
    d.service(
        pavia,
        prefettura,
        cuav_pv,
        "Programma CUAV presso la Casa Circondariale di Pavia",
        ServiceKind::PerpetratorProgramme,
        "PV",
        &["Pavia"],
        "uomini detenuti nella Casa Circondariale di Pavia",
        &[Referral],
        day(2020, 2, 1),
    )
    .await?;

    d.service(
        casalmaggiore,
        mia,
        mia,
        "Centro antiviolenza Mia",
        ServiceKind::AntiViolenceCentre,
        "CR",
        &[
            "Casalmaggiore",
            "Casteldidone",
            "Gussola",
            "Martignana di Po",
            "Rivarolo del Re ed Uniti",
            "San Giovanni in Croce",
            "Scandolara Ravara",
            "Torre de' Picenardi",
        ],
        women,
        &[Direct, Phone],
        day(2017, 6, 1),
    )
    .await?;

    // The plan's two provincial anti-violence centres and its shelter (seed 003).
    d.service(
        bat_network,
        bat,
        ambiti,
        "Centro antiviolenza provinciale – sede nord (demo)",
        ServiceKind::AntiViolenceCentre,
        "BT",
        &[
            "Barletta",
            "Trani",
            "Bisceglie",
            "Margherita di Savoia",
            "San Ferdinando di Puglia",
            "Trinitapoli",
        ],
        women,
        &[Direct, Phone],
        day(2016, 3, 1),
    )
    .await?;
    d.service(
        bat_network,
        bat,
        ambiti,
        "Centro antiviolenza provinciale – sede sud (demo)",
        ServiceKind::AntiViolenceCentre,
        "BT",
        &[
            "Andria",
            "Canosa di Puglia",
            "Minervino Murge",
            "Spinazzola",
        ],
        women,
        &[Direct, Phone],
        day(2016, 3, 1),
    )
    .await?;
    d.service(
        bat_network,
        bat,
        ambiti,
        "Casa rifugio provinciale (demo)",
        ServiceKind::Shelter,
        "BT",
        &[],
        "donne in pericolo e i loro figli, su invio dei centri antiviolenza",
        &[Referral],
        day(2016, 6, 1),
    )
    .await?;
    d.service(
        bat_network,
        bat,
        asl_bt,
        "Équipe multidisciplinare integrata (demo)",
        ServiceKind::MultidisciplinaryTeam,
        "BT",
        &[],
        "minori e donne vittime di violenza, su invio dei servizi",
        &[Referral],
        day(2016, 6, 1),
    )
    .await?;

    Ok(())
}
