//! The object graph's nodes: the data of each GraphQL object that another aggregate's object
//! can return — the read-model document and the lens it was read with.
//!
//! Objects point at one another (an organization at its memberships, a membership at its
//! organization), so their data lives here, below every aggregate module: each aggregate's
//! `object.rs` implements its own object's fields and imports the others from here, and no
//! aggregate module imports another one to name its object.

use crate::lens::Lens;
use projections::views;

/// A commitment (impegno).
pub struct Commitment {
    pub view: views::CommitmentView,
    pub at: Lens,
}

/// A meeting.
pub struct Meeting {
    pub view: views::MeetingView,
    pub at: Lens,
}

/// A network (rete territoriale, tavolo).
pub struct Network {
    pub view: views::NetworkView,
    pub at: Lens,
}

/// An organization's membership of a network.
pub struct Membership {
    pub view: views::MembershipView,
    pub at: Lens,
}

/// An organization.
pub struct Organization {
    pub view: views::OrganizationView,
    pub at: Lens,
}

/// An organization a report or a list names: answered as the `Organization` object (null
/// when it was not known at the lens's position), loaded only when selected and batched with
/// the request's other organizations.
#[derive(Clone, Copy)]
pub struct OrganizationRef {
    pub id: aggregates::ids::OrganizationId,
    pub at: Lens,
}

/// A protocol of understanding.
pub struct Protocol {
    pub view: views::ProtocolView,
    pub at: Lens,
}

/// A signature of one version of a protocol.
pub struct Signature {
    pub view: views::SignatureView,
    pub at: Lens,
}

/// Recurring meetings of a network.
pub struct MeetingSeries {
    pub view: views::MeetingSeriesView,
    pub at: Lens,
}

/// A network's plan.
pub struct Plan {
    pub view: views::PlanView,
    pub at: Lens,
}

/// Work a network or one of its working groups carried out.
pub struct Activity {
    pub view: views::ActivityView,
    pub at: Lens,
}

/// The shared figures of a network (an indicator set).
pub struct IndicatorSet {
    pub view: views::IndicatorSetView,
    pub at: Lens,
}

/// A service a network offers.
pub struct Service {
    pub view: views::ServiceView,
    pub at: Lens,
}

/// A working group.
pub struct WorkingGroup {
    pub view: views::WorkingGroupView,
    pub at: Lens,
}
