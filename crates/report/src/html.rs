//! The report as HTML: a fragment for the app's own page (with drill-down
//! links) or a whole document that stands alone (share links, files).

use std::sync::OnceLock;

use minijinja::{Environment, context};

use crate::Error;
use crate::view::View;

const TEMPLATE: &str = include_str!("../templates/report.html");
/// The report's own styles, for pages that embed it.
pub const CSS: &str = include_str!("../templates/report.css");

fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        // A template that does not parse fails every test that renders.
        let _ = env.add_template("report.html", TEMPLATE);
        env
    })
}

/// The report's body. `link` prefixes drill-down links ("" inside the
/// app); none leaves them out.
pub fn fragment(view: &View, link: Option<&str>) -> Result<String, Error> {
    env()
        .get_template("report.html")
        .and_then(|t| t.render(context! { v => minijinja::Value::from(minijinja::value::Serde(view)), link => link }))
        .map_err(|e| Error::Render(format!("HTML template: {e:#}")))
}

/// A whole page holding the report and its styles, without links.
pub fn document(view: &View) -> Result<String, Error> {
    let body = fragment(view, None)?;
    let title = minijinja::HtmlEscape(&view.name).to_string();
    Ok(format!(
        "<!doctype html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title><style>{CSS}body{{margin:1.5em}}</style></head><body>{body}</body></html>\n",
        view.language
    ))
}
