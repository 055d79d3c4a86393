//! The one macro that declares an aggregate's event enum: a variant per event type, each
//! holding a payload struct of the same name, serialised as `{"EventType": {..payload..}}`.
//! It also yields the event type and version cqrs-es stores, and the JSON Schema of every
//! payload (checked against `schemas/events/` by a test).

macro_rules! domain_events {
    ($(#[$m:meta])* $enum:ident { $($variant:ident = $version:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[allow(clippy::enum_variant_names)]
        pub enum $enum {
            $($variant($variant)),+
        }

        impl cqrs_es::DomainEvent for $enum {
            fn event_type(&self) -> String {
                match self {
                    $(Self::$variant(_) => stringify!($variant).to_owned()),+
                }
            }
            fn event_version(&self) -> String {
                match self {
                    $(Self::$variant(_) => $version.to_owned()),+
                }
            }
        }

        impl $enum {
            /// Every event type of this aggregate with its current version.
            pub const TYPES: &'static [(&'static str, &'static str)] =
                &[$((stringify!($variant), $version)),+];

            /// The JSON Schema of every payload at its current version.
            pub fn schemas() -> Vec<(&'static str, &'static str, schemars::schema::RootSchema)> {
                vec![$((stringify!($variant), $version, schemars::schema_for!($variant))),+]
            }
        }

        $(
            impl From<$variant> for $enum {
                fn from(event: $variant) -> Self {
                    Self::$variant(event)
                }
            }
        )+
    };
}

pub(crate) use domain_events;
