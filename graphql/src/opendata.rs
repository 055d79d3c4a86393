//! The public directory as open data over HTTP: `GET /open-data/services.json`,
//! `/open-data/services.csv` (optionally `?on=YYYY-MM-DD`, default today) and the schema the
//! JSON follows, `/open-data/services.schema.json`. Anonymous, like the public directory it
//! publishes (`projections::opendata`).

use std::collections::HashMap;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::state::ApiState;

fn refusal(status: StatusCode, code: &str, field: Option<&str>, message: &str) -> Response {
    let body = serde_json::json!({"error": {"code": code, "field": field, "message": message}});
    (status, axum::Json(body)).into_response()
}

/// Serves one file of the open-data directory.
pub(crate) async fn services(
    api: &ApiState,
    file: &str,
    params: &HashMap<String, String>,
) -> Response {
    let json = |text: String| ([(header::CONTENT_TYPE, "application/json")], text).into_response();
    let csv = match file {
        "services.schema.json" => {
            return json(projections::opendata::SCHEMA.to_owned());
        }
        "services.json" => false,
        "services.csv" => true,
        _ => return refusal(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            None,
            "no such file: the open data are services.json, services.csv and services.schema.json",
        ),
    };
    if let Some(unknown) = params.keys().find(|k| k.as_str() != "on") {
        let message = format!("unknown parameter {unknown:?}: the only one is `on`");
        return refusal(
            StatusCode::BAD_REQUEST,
            "INVALID_VALUE",
            Some(unknown),
            &message,
        );
    }
    let on = match params.get("on") {
        None => chrono::Utc::now().date_naive(),
        Some(text) => match text.parse::<chrono::NaiveDate>() {
            Ok(day) => day,
            Err(_) => {
                return refusal(
                    StatusCode::BAD_REQUEST,
                    "INVALID_VALUE",
                    Some("on"),
                    "on: a date as YYYY-MM-DD",
                )
            }
        },
    };
    let answer = async {
        let municipalities = api.store.municipalities().await?;
        Ok::<_, Box<dyn std::error::Error + Send + Sync>>(
            projections::opendata::services(&api.read, &municipalities, on).await?,
        )
    };
    match answer.await {
        Ok(data) if csv => (
            [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
            data.to_csv(),
        )
            .into_response(),
        Ok(data) => json(serde_json::to_string_pretty(&data).expect("open data serialise")),
        Err(error) => {
            tracing::error!(%error, "the open-data directory could not be read");
            refusal(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                None,
                "the directory could not be read now; try again",
            )
        }
    }
}
