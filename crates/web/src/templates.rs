//! HTML templates (minijinja, compiled into the binary) and the functions
//! they use: `t(key, **args)` for text in the page's language, and filters
//! that format numbers, money and dates per locale.

use std::sync::Arc;

use fluent_bundle::FluentValue;
use minijinja::value::{Kwargs, Value, ValueKind};
use minijinja::{Environment, State, context};
use mkpi_domain::Locale;

use crate::error::{ErrorInfo, WebError};
use crate::i18n::I18n;

const TEMPLATES: [(&str, &str); 60] = [
    ("base.html", include_str!("../templates/base.html")),
    ("login.html", include_str!("../templates/login.html")),
    ("home.html", include_str!("../templates/home.html")),
    (
        "employees.html",
        include_str!("../templates/employees.html"),
    ),
    ("employee.html", include_str!("../templates/employee.html")),
    ("account.html", include_str!("../templates/account.html")),
    ("users.html", include_str!("../templates/users.html")),
    ("setup.html", include_str!("../templates/setup.html")),
    ("kpis.html", include_str!("../templates/kpis.html")),
    ("kpi.html", include_str!("../templates/kpi.html")),
    ("start.html", include_str!("../templates/start.html")),
    ("password.html", include_str!("../templates/password.html")),
    (
        "organisation.html",
        include_str!("../templates/organisation.html"),
    ),
    (
        "employee_new.html",
        include_str!("../templates/employee_new.html"),
    ),
    (
        "employee_edit.html",
        include_str!("../templates/employee_edit.html"),
    ),
    (
        "_person_fields.html",
        include_str!("../templates/_person_fields.html"),
    ),
    (
        "_field_error.html",
        include_str!("../templates/_field_error.html"),
    ),
    ("audit.html", include_str!("../templates/audit.html")),
    ("error.html", include_str!("../templates/error.html")),
    ("api_docs.html", include_str!("../templates/api_docs.html")),
    ("imports.html", include_str!("../templates/imports.html")),
    (
        "dashboard.html",
        include_str!("../templates/dashboard.html"),
    ),
    ("_kpis.html", include_str!("../templates/_kpis.html")),
    ("_flags.html", include_str!("../templates/_flags.html")),
    ("_alerts.html", include_str!("../templates/_alerts.html")),
    ("alerts.html", include_str!("../templates/alerts.html")),
    ("explorer.html", include_str!("../templates/explorer.html")),
    ("metrics.html", include_str!("../templates/metrics.html")),
    ("team.html", include_str!("../templates/team.html")),
    ("goals.html", include_str!("../templates/goals.html")),
    (
        "goal_form.html",
        include_str!("../templates/goal_form.html"),
    ),
    ("goal.html", include_str!("../templates/goal.html")),
    ("_smart.html", include_str!("../templates/_smart.html")),
    (
        "_goal_progress.html",
        include_str!("../templates/_goal_progress.html"),
    ),
    ("_swot.html", include_str!("../templates/_swot.html")),
    ("swot.html", include_str!("../templates/swot.html")),
    ("reports.html", include_str!("../templates/reports.html")),
    ("report.html", include_str!("../templates/report.html")),
    (
        "report_edit.html",
        include_str!("../templates/report_edit.html"),
    ),
    (
        "_report_form.html",
        include_str!("../templates/_report_form.html"),
    ),
    (
        "competitors.html",
        include_str!("../templates/competitors.html"),
    ),
    ("tasks.html", include_str!("../templates/tasks.html")),
    ("task.html", include_str!("../templates/task.html")),
    (
        "_task_table.html",
        include_str!("../templates/_task_table.html"),
    ),
    (
        "_task_form.html",
        include_str!("../templates/_task_form.html"),
    ),
    ("my_work.html", include_str!("../templates/my_work.html")),
    ("reviews.html", include_str!("../templates/reviews.html")),
    ("review.html", include_str!("../templates/review.html")),
    (
        "review_assess.html",
        include_str!("../templates/review_assess.html"),
    ),
    (
        "review_results.html",
        include_str!("../templates/review_results.html"),
    ),
    (
        "review_calibration.html",
        include_str!("../templates/review_calibration.html"),
    ),
    (
        "review_history.html",
        include_str!("../templates/review_history.html"),
    ),
    (
        "client_review.html",
        include_str!("../templates/client_review.html"),
    ),
    (
        "review_framework.html",
        include_str!("../templates/review_framework.html"),
    ),
    (
        "_questions.html",
        include_str!("../templates/_questions.html"),
    ),
    ("_pager.html", include_str!("../templates/_pager.html")),
    (
        "campaigns.html",
        include_str!("../templates/campaigns.html"),
    ),
    ("campaign.html", include_str!("../templates/campaign.html")),
    (
        "_imports_table.html",
        include_str!("../templates/_imports_table.html"),
    ),
    (
        "imports_history.html",
        include_str!("../templates/imports_history.html"),
    ),
];

pub struct Templates {
    env: Environment<'static>,
    i18n: Arc<I18n>,
}

impl std::fmt::Debug for Templates {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Templates")
    }
}

fn locale_of(state: &State) -> Locale {
    state
        .lookup("lang")
        .and_then(|v| v.as_str().and_then(Locale::from_tag))
        .unwrap_or_default()
}

impl Templates {
    pub fn load(i18n: Arc<I18n>) -> Result<Self, minijinja::Error> {
        let mut env = Environment::new();
        for (name, source) in TEMPLATES {
            env.add_template(name, source)?;
        }
        let texts = i18n.clone();
        env.add_function("t", move |state: &State, key: &str, kwargs: Kwargs| {
            let mut args = fluent_bundle::FluentArgs::new();
            for name in kwargs.args() {
                let value: Value = kwargs.get(name)?;
                let fv = match value.kind() {
                    ValueKind::Number => i64::try_from(value.clone())
                        .map(FluentValue::from)
                        .or_else(|_| f64::try_from(value.clone()).map(FluentValue::from))
                        .unwrap_or_else(|_| FluentValue::from(value.to_string())),
                    _ => FluentValue::from(value.to_string()),
                };
                args.set(name.to_string(), fv);
            }
            Ok::<_, minijinja::Error>(texts.text(locale_of(state), key, Some(&args)))
        });
        let names = i18n.clone();
        env.add_filter("channel", move |state: &State, code: &str| -> String {
            names.channel(locale_of(state), code)
        });
        env.add_filter("num", |state: &State, v: Value| -> String {
            match i64::try_from(v.clone()) {
                Ok(n) => locale_of(state).format_integer(n),
                Err(_) => "—".to_string(),
            }
        });
        env.add_filter(
            "dec",
            |state: &State, v: Value, decimals: Option<usize>| -> String {
                match f64::try_from(v) {
                    Ok(x) => locale_of(state).format_decimal(x, decimals.unwrap_or(2)),
                    Err(_) => "—".to_string(),
                }
            },
        );
        env.add_filter(
            "money",
            |state: &State, minor: Value, currency: &str| -> String {
                match i64::try_from(minor) {
                    Ok(m) => locale_of(state).format_money(m, currency),
                    Err(_) => "—".to_string(),
                }
            },
        );
        env.add_filter("date", |state: &State, iso: &str| -> String {
            locale_of(state).format_date(iso)
        });
        env.add_filter("timestamp", |state: &State, secs: Value| -> String {
            let Ok(secs) = i64::try_from(secs) else {
                return "—".to_string();
            };
            match time::OffsetDateTime::from_unix_timestamp(secs) {
                Ok(t) => format!(
                    "{} {:02}:{:02} UTC",
                    locale_of(state).format_date(&t.date().to_string()),
                    t.hour(),
                    t.minute()
                ),
                Err(_) => "—".to_string(),
            }
        });
        Ok(Templates { env, i18n })
    }

    pub fn render(&self, name: &str, ctx: Value) -> Result<String, WebError> {
        self.env
            .get_template(name)
            .and_then(|t| t.render(ctx))
            .map_err(|e| WebError::Internal(format!("template {name}: {e:#}")))
    }

    pub fn render_error(&self, locale: Locale, info: &ErrorInfo) -> Result<String, WebError> {
        let key = match info.code {
            "not_found" => Some("error-not-found"),
            "forbidden" => Some("error-forbidden"),
            "csrf" => Some("error-csrf"),
            "gone" => Some("error-gone"),
            "invalid" => Some("error-invalid"),
            _ => None,
        };
        let message = match (key, info.code) {
            (Some(k), _) => self.i18n.text(locale, k, None),
            (None, "internal") => self.i18n.text(
                locale,
                "error-internal",
                Some(&crate::i18n::args([(
                    "id",
                    FluentValue::from(info.request_id.clone().unwrap_or_default()),
                )])),
            ),
            (None, _) => info.message.clone(),
        };
        self.render(
            "error.html",
            context! {
                lang => locale.as_str(),
                status => info.status,
                message => message,
                fields => Value::from(minijinja::value::Serde(
                    info.fields
                        .iter()
                        .map(|p| serde_json::json!({"field": p.field, "message": self.i18n.problem(locale, p)}))
                        .collect::<Vec<_>>()
                )),
            },
        )
    }
}
