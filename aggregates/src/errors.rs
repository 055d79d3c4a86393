//! Stable error codes. Clients see a domain refusal as a `code` (`userErrors { code }`): the
//! code of every variant is written out in `error_codes!`, so renaming a variant changes no
//! code, and every code is in the snapshot `schemas/error-codes.txt` (checked by
//! `aggregates/tests/error_codes.rs`), so changing one is a visible diff.

/// A domain refusal with a stable code for clients.
pub trait ErrorCode {
    /// The code, in SCREAMING_SNAKE_CASE.
    fn code(&self) -> &'static str;

    /// The field of the command at fault, when one is: its path through the command's
    /// fields (`details.contacts.mailbox`), which the API's inputs mirror.
    fn field(&self) -> Option<Vec<&'static str>> {
        None
    }
}

/// Declares the code of every variant of a domain error (a missing variant does not compile)
/// and the list of its codes, `CODES`; optionally (`field = path`) the function that names the
/// command's field at fault.
#[macro_export]
macro_rules! error_codes {
    ($error:ident { $($variant:ident => $code:literal),+ $(,)? } $(, field = $field:path)?) => {
        impl $crate::errors::ErrorCode for $error {
            fn code(&self) -> &'static str {
                match self {
                    $( Self::$variant { .. } => $code, )+
                }
            }
            $(
                fn field(&self) -> Option<Vec<&'static str>> {
                    $field(self)
                }
            )?
        }

        impl $error {
            /// Every code this error can have.
            pub const CODES: &'static [&'static str] = &[$($code),+];
        }
    };
}

/// Every domain error type with its codes, for the snapshot.
pub fn all_codes() -> Vec<(&'static str, &'static [&'static str])> {
    vec![
        (
            "OrganizationError",
            crate::organization::OrganizationError::CODES,
        ),
        ("NetworkError", crate::network::NetworkError::CODES),
        ("ProtocolError", crate::protocol::ProtocolError::CODES),
        ("CommitmentError", crate::commitment::CommitmentError::CODES),
        (
            "WorkingGroupError",
            crate::working_group::WorkingGroupError::CODES,
        ),
        ("MeetingError", crate::meeting::MeetingError::CODES),
        ("PersonError", crate::person::PersonError::CODES),
        ("ServiceError", crate::service::ServiceError::CODES),
        (
            "IndicatorSetError",
            crate::indicator_set::IndicatorSetError::CODES,
        ),
        ("ActivityError", crate::activity::ActivityError::CODES),
        ("PlanError", crate::plan::PlanError::CODES),
        (
            "MeetingSeriesError",
            crate::meeting_series::MeetingSeriesError::CODES,
        ),
    ]
}
