//! `/api/docs`: the OpenAPI document as a readable page, rendered on the
//! server from the same document (no CDN, no script).

use axum::extract::State;
use axum::response::Html;
use minijinja::context;
use serde::Serialize;
use serde_json::Value as Json;
use utoipa::OpenApi;

use super::ApiDoc;
use crate::AppState;
use crate::error::WebError;
use crate::pages::ser;

#[derive(Serialize)]
struct Operation {
    id: String,
    method: String,
    path: String,
    summary: String,
    description: String,
    parameters: Vec<Parameter>,
    request: Option<String>,
    responses: Vec<ResponseDoc>,
}

#[derive(Serialize)]
struct Parameter {
    name: String,
    location: String,
    required: bool,
    description: String,
}

#[derive(Serialize)]
struct ResponseDoc {
    status: String,
    description: String,
    schema: Option<String>,
}

fn text(v: &Json, key: &str) -> String {
    v.get(key)
        .and_then(Json::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The schema of a body, as a name (`EmployeeJson`, `[EmployeeJson]`).
fn schema_name(content: &Json) -> Option<String> {
    let schema = content
        .get("content")?
        .get("application/json")?
        .get("schema")?;
    let name = |s: &Json| {
        s.get("$ref")
            .and_then(Json::as_str)
            .map(|r| r.rsplit('/').next().unwrap_or(r).to_string())
    };
    name(schema).or_else(|| schema.get("items").and_then(name).map(|n| format!("[{n}]")))
}

pub async fn show(State(state): State<AppState>) -> Result<Html<String>, WebError> {
    let doc =
        serde_json::to_value(ApiDoc::openapi()).map_err(|e| WebError::Internal(e.to_string()))?;
    let mut operations = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Json::as_object) {
        for (path, item) in paths {
            for (method, op) in item.as_object().into_iter().flatten() {
                let parameters = op
                    .get("parameters")
                    .and_then(Json::as_array)
                    .into_iter()
                    .flatten()
                    .map(|p| Parameter {
                        name: text(p, "name"),
                        location: text(p, "in"),
                        required: p.get("required").and_then(Json::as_bool).unwrap_or(false),
                        description: text(p, "description"),
                    })
                    .collect();
                let responses = op
                    .get("responses")
                    .and_then(Json::as_object)
                    .into_iter()
                    .flatten()
                    .map(|(status, r)| ResponseDoc {
                        status: status.clone(),
                        description: text(r, "description"),
                        schema: schema_name(r),
                    })
                    .collect();
                operations.push(Operation {
                    id: format!("{method}-{}", path.replace(['/', '{', '}'], "-")),
                    method: method.clone(),
                    path: path.clone(),
                    summary: text(op, "summary"),
                    description: text(op, "description"),
                    parameters,
                    request: op.get("requestBody").and_then(schema_name),
                    responses,
                });
            }
        }
    }
    let schemas: Vec<_> = doc
        .pointer("/components/schemas")
        .and_then(Json::as_object)
        .into_iter()
        .flatten()
        .map(|(name, body)| {
            serde_json::json!({"name": name, "body": serde_json::to_string_pretty(body).unwrap_or_default()})
        })
        .collect();
    let html = state.templates().render(
        "api_docs.html",
        context! {
            lang => "en",
            title => text(&doc["info"], "title"),
            version => text(&doc["info"], "version"),
            description => text(&doc["info"], "description"),
            operations => ser(&operations),
            schemas => ser(&schemas),
        },
    )?;
    Ok(Html(html))
}
