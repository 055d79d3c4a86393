//! What the object, filter and query modules of every aggregate use: the shared pieces of the
//! API (never an aggregate's module).

pub(crate) use crate::scalars::Date;
pub(crate) use async_graphql::{ComplexObject, Context, Enum, Object, SimpleObject, ID};
pub(crate) use chrono::{DateTime, Utc};
pub(crate) use projections::queries::{AsOf, CommitmentsOf};
pub(crate) use projections::views;

pub(crate) use crate::enums::*;
pub(crate) use crate::errors::ApiResult;
pub(crate) use crate::ids::{global_id, NodeKind};
pub(crate) use crate::lens::{lens, Lens};
pub(crate) use crate::pagination::{paginate, select, ListConnection, MAX_PAGE};
pub(crate) use crate::state::read;
pub(crate) use crate::viewer::{readable, viewer, Level};
