//! Long lists (people, tasks, campaigns, imports, the audit log, alerts):
//! a search box, pages of a set size and a CSV export of what is shown,
//! the same on pages and in the API.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::WebError;

/// Rows on a page when the caller does not say.
pub const PER_PAGE: usize = 50;
/// The most rows a page holds.
pub const MAX_PER_PAGE: usize = 500;

/// Which page of a list, searched how.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
pub struct PageQuery {
    /// Text the rows must contain (case does not matter).
    pub q: Option<String>,
    /// The page, from 1.
    pub page: Option<usize>,
    /// Rows per page, at most 500 (50 when not given).
    pub per_page: Option<usize>,
}

impl PageQuery {
    pub fn search(&self) -> &str {
        self.q.as_deref().map_or("", str::trim)
    }
}

/// One page of a list with what is needed to move between pages.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Paged<T> {
    pub items: Vec<T>,
    /// Rows in the whole list (after the search).
    pub total: usize,
    pub page: usize,
    pub per_page: usize,
    pub pages: usize,
}

/// The asked page of `all` (the last page when asked past it).
pub fn paginate<T>(all: Vec<T>, q: &PageQuery) -> Paged<T> {
    let per_page = q.per_page.unwrap_or(PER_PAGE).clamp(1, MAX_PER_PAGE);
    let total = all.len();
    let pages = total.div_ceil(per_page).max(1);
    let page = q.page.unwrap_or(1).clamp(1, pages);
    let items = all
        .into_iter()
        .skip((page - 1) * per_page)
        .take(per_page)
        .collect();
    Paged {
        items,
        total,
        page,
        per_page,
        pages,
    }
}

/// A list as the API gives it: the asked page (every row when neither
/// `page` nor `per_page` is given, as before pages came) and the count of
/// the rows found in `X-Total-Count`.
pub fn api_page<T>(all: Vec<T>, q: &PageQuery) -> (axum::http::HeaderMap, Vec<T>) {
    let mut headers = axum::http::HeaderMap::new();
    headers.insert("x-total-count", axum::http::HeaderValue::from(all.len()));
    if q.page.is_none() && q.per_page.is_none() {
        return (headers, all);
    }
    (headers, paginate(all, q).items)
}

/// Whether a row's text fields contain the search (any case; every row for
/// an empty search).
pub fn matches<'a>(needle: &str, fields: impl IntoIterator<Item = Option<&'a str>>) -> bool {
    let needle = needle.trim().to_lowercase();
    needle.is_empty()
        || fields
            .into_iter()
            .flatten()
            .any(|t| t.to_lowercase().contains(&needle))
}

/// What `_pager.html` needs: the page, the count of pages and rows, and the
/// list's path with the rest of its query (each pair kept but `page`), so a
/// link to another page or the CSV keeps the search and the filters.
pub fn pager<T>(path: &str, paged: &Paged<T>, query: &[(&str, &str)]) -> serde_json::Value {
    let kept: Vec<(&str, &str)> = query
        .iter()
        .filter(|(k, v)| *k != "page" && *k != "format" && !v.is_empty())
        .copied()
        .collect();
    let mut query = serde_urlencoded::to_string(&kept).unwrap_or_default();
    if !query.is_empty() {
        query.push('&');
    }
    serde_json::json!({
        "page": paged.page, "pages": paged.pages, "total": paged.total,
        "path": path, "query": query,
    })
}

/// A CSV download of rows of text.
pub fn csv_download(
    name: &str,
    header: &[&str],
    rows: &[Vec<String>],
) -> Result<Response, WebError> {
    let bytes = mkpi_report::tables::csv_list(header, rows)?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}.csv\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_hold_the_asked_rows_and_stay_in_bounds() {
        let q = |page, per_page| PageQuery {
            q: None,
            page,
            per_page,
        };
        let p = paginate((1..=7).collect::<Vec<i32>>(), &q(Some(2), Some(3)));
        assert_eq!(
            (p.items, p.total, p.page, p.pages),
            (vec![4, 5, 6], 7, 2, 3)
        );
        let last = paginate((1..=7).collect::<Vec<i32>>(), &q(Some(9), Some(3)));
        assert_eq!((last.items, last.page), (vec![7], 3));
        let empty = paginate(Vec::<i32>::new(), &q(None, None));
        assert_eq!(
            (empty.items.len(), empty.page, empty.pages, empty.per_page),
            (0, 1, 1, 50)
        );
        let capped = paginate((1..=1000).collect::<Vec<i32>>(), &q(Some(0), Some(10_000)));
        assert_eq!(
            (capped.items.len(), capped.page, capped.per_page),
            (500, 1, 500)
        );
    }
}
