//! Who is calling, and what they may do.
//!
//! Authentication: a bearer token on HTTP (`Authorization: Bearer …`) or in the
//! graphql-transport-ws `connection_init` payload (`{"authorization": "Bearer …"}`). Either a
//! signed JWT (HS256 with a configured secret, or RS256 with public keys from a configured PEM
//! file, so an existing identity provider can issue them) whose `grants` claim lists the
//! principal's grants, or an opaque API token issued with `governance token issue` (stored only
//! as a hash; revocable). No token: the anonymous viewer. The principal's subject is the actor
//! recorded in every event it causes; the client cannot choose it.
//!
//! Authorization: every mutation has exactly one [`Rule`] (`root::rule_of`) (a mutation without
//! one is refused); the rule names the permission and the target it is checked against (the
//! network and organization the input concerns, resolved from the read side).

use aggregates::ids::{
    CommitmentId, MeetingId, NetworkId, OrganizationId, ProtocolId, ReferentId, ServiceId,
    WorkingGroupId,
};
use aggregates::metadata::{Actor, Role};
use async_graphql::Context;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use projections::queries::AsOf;
use projections::store::{Grant, Store, TOKEN_PREFIX};
use serde::Deserialize;
use uuid::Uuid;

use crate::errors::ApiResult;
use crate::errors::{Refusal, UserError};
use crate::ids::{decode_kind, NodeKind};
use crate::state::read;

/// How signed tokens are checked.
#[derive(Clone, Default)]
pub struct AuthConfig {
    /// The HS256 secret, if HS256 tokens are accepted.
    pub hs256_secret: Option<Vec<u8>>,
    /// RS256 public keys (any of them may have signed a token).
    pub rs256_keys: Vec<DecodingKey>,
    /// If set, a JWT's `iss` must equal it.
    pub issuer: Option<String>,
    /// If set, a JWT's `aud` must contain it.
    pub audience: Option<String>,
    /// Signed tokens verified lately (shared by the clones of this configuration).
    pub verified: VerifiedJwts,
}

/// How many verified signed tokens are remembered at most (the least recently used go first).
const JWTS_REMEMBERED: usize = 10_000;
/// How long a verified signed token is remembered at most (and never past its `exp`).
const JWT_REMEMBERED_FOR: std::time::Duration = std::time::Duration::from_secs(60);

/// Signed tokens (JWTs) verified lately, so that a client sending the same token on every
/// request does not have its header, signature and claims checked every time: by the SHA-256
/// of the token (the credential itself is not kept), the principal it names, until the
/// earlier of its `exp` and [`JWT_REMEMBERED_FOR`] after it was verified. Only tokens that
/// passed are remembered; anything else is checked (and refused) each time, so nothing a
/// caller invents fills the memory. A signed token cannot be revoked, and the keys that
/// verify it are the process's own for its lifetime: what was valid stays valid until `exp`.
#[derive(Clone)]
pub struct VerifiedJwts(std::sync::Arc<std::sync::Mutex<Remembered>>);

/// The SHA-256 of a token → its principal, and until when it is trusted.
type Remembered = lru::LruCache<[u8; 32], (Principal, std::time::Instant)>;

impl Default for VerifiedJwts {
    fn default() -> Self {
        let capacity =
            std::num::NonZeroUsize::new(JWTS_REMEMBERED).unwrap_or(std::num::NonZeroUsize::MIN);
        Self(std::sync::Arc::new(std::sync::Mutex::new(
            lru::LruCache::new(capacity),
        )))
    }
}

impl VerifiedJwts {
    fn key(token: &str) -> [u8; 32] {
        use sha2::Digest;
        sha2::Sha256::digest(token.as_bytes()).into()
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, Remembered> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The principal of `token`, if it was verified and is still within its time.
    fn get(&self, token: &str) -> Option<Principal> {
        let key = Self::key(token);
        let mut entries = self.entries();
        let found = match entries.get(&key) {
            Some((principal, until)) if std::time::Instant::now() < *until => {
                Some(principal.clone())
            }
            Some(_) => {
                entries.pop(&key);
                None
            }
            None => None,
        };
        drop(entries);
        let result = if found.is_some() { "hit" } else { "miss" };
        metrics::counter!("governance_jwt_cache_total", "result" => result).increment(1);
        found
    }

    /// Remembers `token`, just verified, as naming `principal`, until its `exp` (seconds
    /// since the epoch) or the bound, whichever comes first.
    fn put(&self, token: &str, principal: &Principal, exp: i64) {
        let left = exp.saturating_sub(chrono::Utc::now().timestamp());
        let Ok(left) = u64::try_from(left) else {
            return;
        };
        let keep = JWT_REMEMBERED_FOR.min(std::time::Duration::from_secs(left));
        if keep.is_zero() {
            return;
        }
        let until = std::time::Instant::now() + keep;
        self.entries()
            .put(Self::key(token), (principal.clone(), until));
    }
}

impl std::fmt::Debug for AuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuthConfig")
            .field("hs256", &self.hs256_secret.is_some())
            .field("rs256_keys", &self.rs256_keys.len())
            .field("issuer", &self.issuer)
            .field("audience", &self.audience)
            .finish()
    }
}

impl AuthConfig {
    /// Reads RS256 public keys from a PEM file holding one or more `PUBLIC KEY` blocks.
    pub fn with_rs256_pem(mut self, pem: &str) -> Result<Self, String> {
        let mut found = 0;
        for block in pem.split("-----END PUBLIC KEY-----") {
            let Some(start) = block.find("-----BEGIN PUBLIC KEY-----") else {
                continue;
            };
            let one = format!("{}-----END PUBLIC KEY-----\n", &block[start..]);
            let key = DecodingKey::from_rsa_pem(one.as_bytes())
                .map_err(|e| format!("an RS256 public key does not parse: {e}"))?;
            self.rs256_keys.push(key);
            found += 1;
        }
        if found == 0 {
            return Err("no `PUBLIC KEY` block in the RS256 key file".into());
        }
        Ok(self)
    }
}

/// Why a token was refused. The messages are safe to show to the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("the Authorization header must be `Bearer <token>`")]
    Malformed,
    #[error("the token has expired")]
    Expired,
    #[error("the token's signature is not valid")]
    BadSignature,
    #[error("the token is not valid: {0}")]
    Invalid(String),
    #[error("the API token is unknown or has been revoked")]
    Revoked,
    #[error("signed tokens of this kind are not accepted by this server")]
    NotAccepted,
    #[error("the token could not be checked now; try again")]
    Unavailable,
}

impl AuthError {
    /// The stable code clients can branch on.
    pub fn code(&self) -> &'static str {
        match self {
            AuthError::Expired => "TOKEN_EXPIRED",
            AuthError::Revoked => "TOKEN_REVOKED",
            AuthError::Unavailable => "UNAVAILABLE",
            _ => "UNAUTHENTICATED",
        }
    }
}

/// The claims of a signed token.
#[derive(Deserialize)]
struct Claims {
    #[serde(default)]
    sub: Option<String>,
    /// Required (the validation asks for it); kept to know how long the token stays valid.
    #[serde(default)]
    exp: Option<i64>,
    #[serde(default)]
    grants: Vec<Grant>,
}

/// The authenticated caller: a subject (recorded as the actor of its events) and its grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub subject: String,
    pub grants: Vec<Grant>,
}

impl Principal {
    pub fn anonymous() -> Self {
        Principal {
            subject: "anonymous".to_owned(),
            grants: vec![],
        }
    }

    pub fn is_admin(&self) -> bool {
        self.grants.contains(&Grant::PlatformAdministrator)
    }

    /// Reads everything, including history (administrators and auditors).
    pub fn reads_everything(&self) -> bool {
        self.is_admin() || self.grants.contains(&Grant::Auditor)
    }

    pub fn coordinates(&self, network: NetworkId) -> bool {
        self.grants
            .iter()
            .any(|g| matches!(g, Grant::Coordinator { network: n } if *n == network.0))
    }

    pub fn represents(&self, organization: OrganizationId) -> bool {
        self.grants
            .iter()
            .any(|g| matches!(g, Grant::Referent { organization: o } if *o == organization.0))
    }

    pub fn coordinates_any(&self) -> bool {
        self.grants
            .iter()
            .any(|g| matches!(g, Grant::Coordinator { .. }))
    }

    pub fn represents_any(&self) -> bool {
        self.grants
            .iter()
            .any(|g| matches!(g, Grant::Referent { .. }))
    }

    /// The organizations it represents.
    pub fn organizations(&self) -> impl Iterator<Item = OrganizationId> + '_ {
        self.grants.iter().filter_map(|g| match g {
            Grant::Referent { organization } => Some(OrganizationId(*organization)),
            _ => None,
        })
    }

    /// The networks it coordinates.
    pub fn networks(&self) -> impl Iterator<Item = NetworkId> + '_ {
        self.grants.iter().filter_map(|g| match g {
            Grant::Coordinator { network } => Some(NetworkId(*network)),
            _ => None,
        })
    }

    pub fn is_anonymous(&self) -> bool {
        self.grants.is_empty()
    }
}

/// The principal of a request from its `Authorization` value (absent: anonymous).
pub async fn authenticate(
    store: &Store,
    config: &AuthConfig,
    authorization: Option<&str>,
) -> Result<Principal, AuthError> {
    let Some(value) = authorization.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(Principal::anonymous());
    };
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => return Err(AuthError::Malformed),
    };
    if token.is_empty() || token.len() > 8192 {
        return Err(AuthError::Malformed);
    }
    if token.starts_with(TOKEN_PREFIX) {
        return match store.verify_token(token).await {
            Ok(Some(t)) => Ok(Principal {
                subject: format!("token:{}", t.id),
                grants: t.grants,
            }),
            Ok(_) => Err(AuthError::Revoked),
            Err(e) => {
                tracing::error!(error = %e, "API token lookup failed");
                Err(AuthError::Unavailable)
            }
        };
    }
    if let Some(principal) = config.verified.get(token) {
        return Ok(principal);
    }
    let header = jsonwebtoken::decode_header(token).map_err(|_| AuthError::Malformed)?;
    let keys: Vec<DecodingKey> = match header.alg {
        Algorithm::HS256 => config
            .hs256_secret
            .iter()
            .map(|s| DecodingKey::from_secret(s))
            .collect(),
        Algorithm::RS256 => config.rs256_keys.clone(),
        _ => vec![],
    };
    if keys.is_empty() {
        return Err(AuthError::NotAccepted);
    }
    let mut validation = Validation::new(header.alg);
    validation.set_required_spec_claims(&["exp", "sub"]);
    validation.leeway = 30;
    match &config.issuer {
        Some(issuer) => validation.set_issuer(&[issuer]),
        None => validation.iss = None,
    }
    match &config.audience {
        Some(audience) => validation.set_audience(&[audience]),
        None => validation.validate_aud = false,
    }
    let mut last = AuthError::BadSignature;
    for key in &keys {
        match jsonwebtoken::decode::<Claims>(token, key, &validation) {
            Ok(data) => {
                let Some(subject) = data.claims.sub.map(|s| s.trim().to_owned()) else {
                    return Err(AuthError::Invalid("missing `sub`".into()));
                };
                if subject.is_empty() || subject.len() > 200 {
                    return Err(AuthError::Invalid(
                        "`sub` must be 1 to 200 characters".into(),
                    ));
                }
                // The subject is recorded as the actor of the caller's events and written in
                // log lines: U+0000 cannot be stored by PostgreSQL (the command failed as
                // `INTERNAL`), and a line break would forge a log line.
                if subject.chars().any(char::is_control) {
                    return Err(AuthError::Invalid(
                        "`sub` must not contain control characters".into(),
                    ));
                }
                let principal = Principal {
                    subject,
                    grants: data.claims.grants,
                };
                if let Some(exp) = data.claims.exp {
                    config.verified.put(token, &principal, exp);
                }
                return Ok(principal);
            }
            Err(e) => {
                use jsonwebtoken::errors::ErrorKind as K;
                last = match e.kind() {
                    K::InvalidSignature => AuthError::BadSignature,
                    K::ExpiredSignature => return Err(AuthError::Expired),
                    K::InvalidIssuer => AuthError::Invalid("wrong issuer".into()),
                    K::InvalidAudience => AuthError::Invalid("wrong audience".into()),
                    K::MissingRequiredClaim(c) => AuthError::Invalid(format!("missing `{c}`")),
                    K::ImmatureSignature => AuthError::Invalid("not valid yet".into()),
                    K::Json(_) => {
                        AuthError::Invalid("the claims do not have the expected shape".into())
                    }
                    _ => AuthError::Malformed,
                };
            }
        }
    }
    Err(last)
}

/// Who may call a mutation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Platform administrators only.
    Admin,
    /// Administrators and the coordinator of any network.
    AnyCoordinator,
    /// Administrators, coordinators and referents (any network or organization).
    AnyWriter,
    /// Administrators and the coordinator of the network concerned.
    Coordinator,
    /// Administrators and a referent of the organization concerned.
    Referent,
    /// Administrators, the coordinator of the network concerned, or a referent of the
    /// organization concerned.
    CoordinatorOrReferent,
}

impl Rule {
    /// Who may call a mutation under this rule, as its description states it (checked
    /// against the schema by a test).
    pub fn who(self) -> &'static str {
        match self {
            Rule::Admin => "platform administrators.",
            Rule::AnyCoordinator => "platform administrators and the coordinator of any network.",
            Rule::AnyWriter => "platform administrators, coordinators and referents.",
            Rule::Coordinator => {
                "platform administrators and the coordinator of the network concerned."
            }
            Rule::Referent => {
                "platform administrators and a referent of the organization concerned."
            }
            Rule::CoordinatorOrReferent => {
                "platform administrators, the coordinator of the network concerned and a referent of the organization concerned."
            }
        }
    }

    /// The permission, in words, for the denial message.
    pub fn needs(self) -> &'static str {
        match self {
            Rule::Admin => "the platform administrator role",
            Rule::AnyCoordinator => "the coordinator role of a network",
            Rule::AnyWriter => "a coordinator or referent role",
            Rule::Coordinator => "the coordinator role of the network concerned",
            Rule::Referent => "the referent role of the organization concerned",
            Rule::CoordinatorOrReferent => {
                "the coordinator role of the network concerned or the referent role of the organization concerned"
            }
        }
    }
}

/// A mutation's access rule, declared beside its resolver.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MutationRule {
    /// The mutation's field name.
    pub mutation: &'static str,
    /// Who may call it.
    pub rule: Rule,
}

impl MutationRule {
    pub const fn new(mutation: &'static str, rule: Rule) -> Self {
        MutationRule { mutation, rule }
    }
}

/// The outcome of authorization: the actor the events will record, including the
/// organization acted for.
#[derive(Debug, Clone)]
pub struct Access {
    pub actor: Actor,
}

/// What a mutation's input concerns, resolved from the read side.
#[derive(Debug, Default)]
struct Target {
    network: Option<NetworkId>,
    organization: Option<OrganizationId>,
}

fn id_arg(input: &async_graphql::Value, field: &str, kind: NodeKind) -> Option<Uuid> {
    match input {
        async_graphql::Value::Object(map) => match map.get(field) {
            Some(async_graphql::Value::String(s)) => {
                decode_kind(&async_graphql::ID(s.clone()), kind)
            }
            _ => None,
        },
        _ => None,
    }
}

/// The remembered state of an aggregate (see the command service's cache), if the command
/// service holds it: the network (and obligor) of an aggregate never change once it exists, so
/// a remembered one answers them without a round trip.
fn remembered<A: cqrs_es::Aggregate + Clone + 'static>(ctx: &Context<'_>, id: Uuid) -> Option<A> {
    let store = &ctx.data_unchecked::<crate::state::ApiState>().store;
    store
        .remembered::<A>(&id.to_string())
        .map(|(state, _)| state)
}

/// The network of aggregate `id`: from its remembered state (`of`), else as `viewed` reads
/// it from the read side.
async fn network_of<A: cqrs_es::Aggregate + Clone + 'static>(
    ctx: &Context<'_>,
    id: Uuid,
    of: fn(&A) -> Option<NetworkId>,
    viewed: impl std::future::Future<Output = ApiResult<Option<NetworkId>>>,
) -> ApiResult<Option<NetworkId>> {
    match remembered::<A>(ctx, id).as_ref().and_then(of) {
        Some(network) => Ok(Some(network)),
        None => viewed.await,
    }
}

async fn target_of(ctx: &Context<'_>, input: &async_graphql::Value) -> ApiResult<Target> {
    use aggregates::{commitment::Commitment, meeting::Meeting};
    use aggregates::{protocol::Protocol, working_group::WorkingGroup};
    let r = read(ctx);
    let mut target = Target {
        network: id_arg(input, "network", NodeKind::Network).map(NetworkId),
        organization: id_arg(input, "organization", NodeKind::Organization).map(OrganizationId),
    };
    if let Some(p) = id_arg(input, "protocol", NodeKind::Protocol) {
        let viewed = async {
            Ok(r.protocol(ProtocolId(p), AsOf::Now)
                .await?
                .map(|v| v.network))
        };
        target.network = network_of::<Protocol>(ctx, p, |a| a.network, viewed).await?;
    }
    if let Some(c) = id_arg(input, "commitment", NodeKind::Commitment) {
        let known = remembered::<Commitment>(ctx, c).and_then(|a| a.network.zip(a.obligor));
        let (network, obligor) = match known {
            Some(known) => Some(known).unzip(),
            None => r
                .commitment(CommitmentId(c), AsOf::Now)
                .await?
                .map(|v| (v.network, v.obligor))
                .unzip(),
        };
        target.network = network;
        target.organization = obligor;
    }
    if let Some(m) = id_arg(input, "meeting", NodeKind::Meeting) {
        let viewed = async { Ok(r.meeting(MeetingId(m), AsOf::Now).await?.map(|v| v.network)) };
        target.network = network_of::<Meeting>(ctx, m, |a| a.network, viewed).await?;
    }
    if let Some(w) = id_arg(input, "workingGroup", NodeKind::WorkingGroup) {
        let viewed = async {
            Ok(r.working_group(WorkingGroupId(w), AsOf::Now)
                .await?
                .map(|v| v.network))
        };
        target.network = network_of::<WorkingGroup>(ctx, w, |a| a.network, viewed).await?;
    }
    if let Some(s) = id_arg(input, "service", NodeKind::Service) {
        use aggregates::service::Service;
        // The network and the organization of a service never change once it exists.
        let known = remembered::<Service>(ctx, s).and_then(|a| a.network.zip(a.organization));
        let (network, organization) = match known {
            Some(known) => Some(known).unzip(),
            None => r
                .service(ServiceId(s), AsOf::Now)
                .await?
                .map(|v| (v.network, v.organization))
                .unzip(),
        };
        target.network = network;
        target.organization = organization;
    }
    if let Some(s) = id_arg(input, "indicatorSet", NodeKind::IndicatorSet) {
        use aggregates::indicator_set::IndicatorSet;
        let viewed = async {
            Ok(
                r.indicator_set(aggregates::ids::IndicatorSetId(s), AsOf::Now)
                    .await?
                    .map(|v| v.network),
            )
        };
        target.network = network_of::<IndicatorSet>(ctx, s, |a| a.network, viewed).await?;
    }
    if let Some(series) = id_arg(input, "meetingSeries", NodeKind::MeetingSeries) {
        use aggregates::meeting_series::MeetingSeries;
        let viewed = async {
            Ok(
                r.meeting_series(aggregates::ids::MeetingSeriesId(series), AsOf::Now)
                    .await?
                    .map(|v| v.network),
            )
        };
        target.network = network_of::<MeetingSeries>(ctx, series, |x| x.network, viewed).await?;
    }
    if let Some(plan) = id_arg(input, "plan", NodeKind::Plan) {
        use aggregates::plan::Plan;
        let viewed = async {
            Ok(r.plan(aggregates::ids::PlanId(plan), AsOf::Now)
                .await?
                .map(|v| v.network))
        };
        target.network = network_of::<Plan>(ctx, plan, |x| x.network, viewed).await?;
    }
    if let Some(a) = id_arg(input, "activity", NodeKind::Activity) {
        use aggregates::activity::Activity;
        let viewed = async {
            Ok(r.activity(aggregates::ids::ActivityId(a), AsOf::Now)
                .await?
                .map(|v| v.network))
        };
        target.network = network_of::<Activity>(ctx, a, |x| x.network, viewed).await?;
    }
    // A referent designation: the organization it belongs to.
    if let (Some(network), Some(referent)) = (
        target.network,
        match input {
            async_graphql::Value::Object(map) => match map.get("referent") {
                Some(async_graphql::Value::String(s)) => Some(s.clone()),
                _ => None,
            },
            _ => None,
        },
    ) {
        let referent = crate::ids::uuid_in(&referent, NodeKind::Referent).map(ReferentId);
        target.organization = r
            .memberships(network, AsOf::Now)
            .await?
            .into_iter()
            .find(|m| m.referents.iter().any(|x| Some(x.referent) == referent))
            .map(|m| m.organization);
    }
    Ok(target)
}

fn denied(rule: Rule) -> Refusal {
    Refusal::from(UserError {
        field: None,
        message: format!("this change requires {}", rule.needs()),
        code: "FORBIDDEN".to_owned(),
    })
}

/// Decides whether the caller may run the current mutation field, and as whom. The denial
/// names the missing permission and says nothing about whether the target exists.
pub async fn authorize(ctx: &Context<'_>, rule: &MutationRule) -> Result<Access, Refusal> {
    let principal = ctx
        .data_opt::<Principal>()
        .cloned()
        .unwrap_or_else(Principal::anonymous);
    let field = ctx.field();
    if field.name() != rule.mutation {
        // A resolver checked against another mutation's rule: refuse rather than guess.
        return Err(Refusal::from(UserError {
            field: None,
            message: "this change has no access rule of its own and is refused".to_owned(),
            code: "FORBIDDEN".to_owned(),
        }));
    }
    let rule = rule.rule;
    let input = field
        .arguments()?
        .into_iter()
        .find(|(name, _)| name.as_str() == "input")
        .map(|(_, value)| value)
        .unwrap_or(async_graphql::Value::Null);
    let actor = |role: Role, organization: Option<OrganizationId>| Access {
        actor: Actor {
            id: principal.subject.clone(),
            role,
            organization,
        },
    };
    // Rules that need no target.
    match rule {
        Rule::Admin if principal.is_admin() => return Ok(actor(Role::PlatformAdministrator, None)),
        Rule::Admin => return Err(denied(rule)),
        Rule::AnyCoordinator | Rule::AnyWriter => {
            let target = target_of(ctx, &input).await?;
            // In a network of its own (an activity's, a plan's), a coordinator (or an
            // administrator naming no organization) acts for the coordinating organization.
            if let Some(network) = target.network.filter(|n| {
                principal.coordinates(*n) || (principal.is_admin() && target.organization.is_none())
            }) {
                if let Some(coordinator) = read(ctx)
                    .network(network, AsOf::Now)
                    .await?
                    .map(|v| v.coordinator)
                {
                    let role = if principal.coordinates(network) {
                        Role::Coordinator
                    } else {
                        Role::PlatformAdministrator
                    };
                    return Ok(actor(role, Some(coordinator)));
                }
            }
            return if principal.is_admin() {
                Ok(actor(Role::PlatformAdministrator, target.organization))
            } else if principal.coordinates_any() {
                Ok(actor(Role::Coordinator, principal.organizations().next()))
            } else if rule == Rule::AnyWriter && principal.represents_any() {
                Ok(actor(Role::Referent, principal.organizations().next()))
            } else {
                Err(denied(rule))
            };
        }
        _ => {}
    }
    if principal.is_anonymous() || principal.grants == [Grant::Auditor] {
        return Err(denied(rule));
    }
    let target = target_of(ctx, &input).await?;
    let coordinator_of = |network: NetworkId| async move {
        read(ctx)
            .network(network, AsOf::Now)
            .await
            .map(|v| v.map(|v| v.coordinator))
    };
    let as_referent = match (rule, target.organization) {
        (Rule::Referent | Rule::CoordinatorOrReferent, Some(org)) if principal.represents(org) => {
            Some(actor(Role::Referent, Some(org)))
        }
        _ => None,
    };
    if let Some(access) = as_referent {
        return Ok(access);
    }
    let may_coordinate = matches!(rule, Rule::Coordinator | Rule::CoordinatorOrReferent);
    if let (true, Some(network)) = (may_coordinate, target.network) {
        if principal.coordinates(network) || principal.is_admin() {
            if let Some(coordinator) = coordinator_of(network).await? {
                let role = if principal.coordinates(network) {
                    Role::Coordinator
                } else {
                    Role::PlatformAdministrator
                };
                return Ok(actor(role, Some(coordinator)));
            }
        }
    }
    if principal.is_admin() {
        // The target may not exist: the domain says so.
        return Ok(actor(Role::PlatformAdministrator, target.organization));
    }
    Err(denied(rule))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn principal() -> Principal {
        Principal {
            subject: "s".to_owned(),
            grants: vec![Grant::Auditor],
        }
    }

    #[test]
    fn a_verified_token_is_remembered_no_longer_than_its_exp_and_the_bound() {
        let verified = VerifiedJwts::default();
        let now = chrono::Utc::now().timestamp();
        verified.put("valid", &principal(), now + 600);
        assert_eq!(verified.get("valid"), Some(principal()));
        // Another text (one byte more) is another token: never the remembered one.
        assert_eq!(verified.get("valid!"), None);
        // Expired, or expiring within the second: not remembered at all.
        verified.put("expired", &principal(), now - 1);
        verified.put("expiring", &principal(), now);
        assert_eq!(verified.get("expired"), None);
        assert_eq!(verified.get("expiring"), None);
        // Remembered for at most the bound, even when its `exp` is far.
        let key = VerifiedJwts::key("valid");
        let (_, until) = verified.entries().peek(&key).cloned().expect("remembered");
        assert!(until <= std::time::Instant::now() + JWT_REMEMBERED_FOR);
        // Past its time it is forgotten (and checked again by whoever asks).
        let past = std::time::Instant::now() - std::time::Duration::from_millis(1);
        verified.entries().put(key, (principal(), past));
        assert_eq!(verified.get("valid"), None);
        assert!(verified.entries().peek(&key).is_none());
    }
}
