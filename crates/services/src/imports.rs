//! Importing files of facts. A file is read with a preset (mkpi-ingest),
//! its records are checked against what is stored (campaigns, owners,
//! currencies, repeats), and written in one transaction: the file lands
//! whole or not at all. Re-importing the same rows updates them, never
//! duplicates; a dry run does everything but commit. Every import is
//! recorded and the most recent one can be rolled back exactly.

use std::collections::{HashMap, HashSet};
use std::io::Read;

use crate::import_people::Answers;
pub use crate::import_people::{NewPerson, PersonAnswer, UnknownPerson};
pub use mkpi_ingest::Problem;
use mkpi_ingest::fact::{AdStatRecord, CampaignRecord, Kind, Ref, Row, Value};
use mkpi_ingest::{Fact, Preset, ReadOutcome, Record};
use mkpi_store::Tx;
use mkpi_store::ad_stats::{self, AdStatRow, AdStatValues};
use mkpi_store::campaigns::{self, CampaignRow, CampaignValues};
use mkpi_store::employees;
use mkpi_store::facts::{self, ColumnType, FactRow, Table};
use mkpi_store::imports::{self, NewImport};
pub use mkpi_store::imports::{ImportCounts, ImportRow};
use mkpi_store::rollups;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::audit::{self, Change};
use crate::users::Principal;
use crate::{Error, Result, Services};

/// Records handed from the reading thread to the writer at a time.
const BATCH: usize = 20_000;

/// The database page cache of an import's connection (SQLite), and that
/// of every other connection (SQLite's default).
const IMPORT_CACHE_KIB: u32 = 64 * 1024;
const NORMAL_CACHE_KIB: u32 = 2000;

/// What to import and how.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    /// The file name (or `api`), for the record.
    pub source: String,
    pub preset: Preset,
    /// Check and count everything, store nothing.
    pub dry_run: bool,
    /// Who the people are that earlier runs of this file could not tell
    /// (see [`ImportReport::unknown_people`]).
    pub people: Vec<PersonAnswer>,
}

/// What an import did, or would do.
#[derive(Debug, Clone)]
pub struct ImportReport {
    pub import_id: Option<i64>,
    /// Whether the rows are now stored (false for a dry run or a rejection).
    pub applied: bool,
    pub dry_run: bool,
    pub source: String,
    pub preset: String,
    pub fact: String,
    /// SHA-256 of the file's bytes.
    pub file_hash: String,
    pub encoding: String,
    /// The delimiter of a text file (none for a workbook).
    pub delimiter: Option<char>,
    pub header_row: u64,
    pub counts: ImportCounts,
    /// Campaigns an import of ad statistics created (presets that may).
    pub campaigns_created: u64,
    /// Teams a staff list created (missing from its paths).
    pub teams_created: u64,
    /// Accounts a staff list created for people given a role.
    pub accounts_created: u64,
    /// People the file names whom mkpi could not tell: answer each in
    /// [`ImportRequest::people`] and run it again.
    pub unknown_people: Vec<UnknownPerson>,
    /// Employees the answers made, and the spellings kept as their aliases.
    pub people_created: u64,
    pub aliases_added: u64,
    pub rows_rejected: u64,
    /// The first problems; `problem_count` has them all.
    pub problems: Vec<Problem>,
    pub problem_count: u64,
    /// The first rows the import changes, field by field (a dry run shows
    /// what a re-import would overwrite).
    pub changes: Vec<RowChange>,
}

/// Most changed rows a report lists.
pub const MAX_CHANGES: usize = 50;

/// One stored row an import changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowChange {
    /// The line of the file.
    pub row: u64,
    /// The row's natural key as people read it.
    pub key: String,
    /// (field, before, after) for each value that changes.
    pub fields: Vec<(String, String, String)>,
}

fn shown(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => "—".to_string(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The fields two objects disagree on.
fn diff(before: &serde_json::Value, after: &serde_json::Value) -> Vec<(String, String, String)> {
    let (Some(b), Some(a)) = (before.as_object(), after.as_object()) else {
        return Vec::new();
    };
    a.iter()
        .filter(|(k, v)| b.get(*k) != Some(*v))
        .map(|(k, v)| {
            (
                k.clone(),
                b.get(k).map_or_else(|| "—".to_string(), shown),
                shown(v),
            )
        })
        .collect()
}

/// A reader that hashes what passes through it (the reader owns it, the
/// caller keeps the other handle to the hasher).
struct Hashing<R> {
    inner: R,
    hasher: std::sync::Arc<std::sync::Mutex<Sha256>>,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if let Ok(mut h) = self.hasher.lock() {
            h.update(&buf[..n]);
        }
        Ok(n)
    }
}

/// Previous state of a campaign an import changed.
#[derive(Serialize, Deserialize)]
struct CampaignRevision {
    values: CampaignValues,
    import_id: Option<i64>,
    #[serde(default)]
    contributors: Vec<campaigns::Contributor>,
}

/// What the writer knows while it goes through a file.
struct Writer {
    import_id: i64,
    now: i64,
    /// The first and last day of the ad statistics written, for the roll-up.
    ad_days: Option<(String, String)>,
    counts: ImportCounts,
    problems: Vec<Problem>,
    problem_count: u64,
    rows_rejected: u64,
    changes: Vec<RowChange>,
    campaigns: HashMap<String, CampaignRow>,
    /// Each campaign's contributors (campaign imports only).
    contributors: HashMap<i64, Vec<campaigns::Contributor>>,
    /// Campaign by lower-case name; None when two campaigns share it.
    campaigns_by_name: HashMap<String, Option<String>>,
    employees_by_email: HashMap<String, i64>,
    /// Employee by lower-case full name; None when two people share it.
    employees_by_name: HashMap<String, Option<i64>>,
    /// Employee by how this source writes them (lower-case), from answers.
    aliases: HashMap<String, i64>,
    /// People the file names that none of the above tells, by key.
    unknown: std::collections::BTreeMap<String, UnknownPerson>,
    /// Who those people are, as the person importing answered.
    answers: Answers,
    seen_campaigns: HashSet<String>,
    fact: Fact,
    table: Option<Table>,
    create_campaigns: Option<mkpi_ingest::preset::CampaignDefaults>,
    campaigns_created: u64,
    /// Teams and accounts a staff list created.
    teams_created: u64,
    accounts_created: u64,
}

/// The table a generic fact is stored in, with a column per stored field.
pub fn table_of(fact: Fact) -> Table {
    let columns = fact
        .fields()
        .iter()
        .filter_map(|f| {
            let ty = match (f.refers, f.kind) {
                (Some(_), _) => ColumnType::Integer,
                (_, Kind::Count | Kind::Score { .. } | Kind::Money | Kind::Flag) => {
                    ColumnType::Integer
                }
                (_, Kind::Number | Kind::Hours) => ColumnType::Real,
                _ => ColumnType::Text,
            };
            f.column.map(|c| (c, ty))
        })
        .collect();
    Table {
        name: fact.name(),
        columns,
    }
}

impl Writer {
    fn problem(&mut self, row: u64, column: &str, value: &str, reason: String) {
        self.problem_count += 1;
        if self.problems.len() < mkpi_ingest::table::MAX_PROBLEMS {
            self.problems.push(Problem {
                row,
                column: column.to_string(),
                value: value.to_string(),
                reason,
            });
        }
    }

    /// Notes a changed row for the report (the first ones only).
    fn changed<T: Serialize>(&mut self, row: u64, key: String, before: &T, after: &T) {
        if self.changes.len() >= MAX_CHANGES {
            return;
        }
        let (Ok(b), Ok(a)) = (serde_json::to_value(before), serde_json::to_value(after)) else {
            return;
        };
        let fields = diff(&b, &a);
        if !fields.is_empty() {
            self.changes.push(RowChange { row, key, fields });
        }
    }

    /// Uses the answer about `who`, if one is waiting, before they are
    /// looked up: the first row that names them makes the alias (or the
    /// employee).
    async fn answer(&mut self, tx: &mut Tx, who: &str) -> Result<()> {
        // The common case, on every row that names a person: nothing to use.
        if !self.answers.waiting() {
            return Ok(());
        }
        let key = crate::import_people::alias_key(who);
        if self.aliases.contains_key(&key) {
            return Ok(());
        }
        match self
            .answers
            .apply(tx, &key, self.import_id, self.now)
            .await?
        {
            Some(Ok(id)) => {
                self.aliases.insert(key, id);
            }
            Some(Err(p)) => self.problem(p.row, &p.column, &p.value, p.reason),
            None => {}
        }
        Ok(())
    }

    /// The employee a file names by e-mail, full name or an alias the
    /// source was given; one it cannot tell is noted for the report.
    fn employee(&mut self, row: u64, column: &str, who: &str) -> std::result::Result<i64, String> {
        let key = crate::import_people::alias_key(who);
        if let Some(id) = self.aliases.get(&key) {
            return Ok(*id);
        }
        let found = if who.contains('@') {
            self.employees_by_email
                .get(&key)
                .copied()
                .ok_or_else(|| format!("no employee has the e-mail {}", who.trim()))
        } else {
            match self.employees_by_name.get(&key) {
                Some(Some(id)) => Ok(*id),
                Some(None) => Err(format!(
                    "two employees are called {}: use their e-mail addresses",
                    who.trim()
                )),
                None => Err(format!("no employee is called {}", who.trim())),
            }
        };
        if let Err(reason) = &found {
            let entry = self.unknown.entry(key).or_insert_with(|| UnknownPerson {
                named: who.trim().to_string(),
                column: column.to_string(),
                rows: 0,
                first_row: row,
                reason: reason.clone(),
            });
            entry.rows += 1;
        }
        found
    }

    /// The campaign a file names by its id or, failing that, its name.
    fn campaign(&self, which: &str) -> std::result::Result<&CampaignRow, String> {
        if let Some(c) = self.campaigns.get(which) {
            return Ok(c);
        }
        match self.campaigns_by_name.get(&which.to_lowercase()) {
            Some(Some(id)) => self
                .campaigns
                .get(id)
                .ok_or_else(|| format!("unknown campaign '{which}'")),
            Some(None) => Err(format!(
                "two campaigns are called '{which}': use the campaign id"
            )),
            None => Err(format!(
                "unknown campaign '{which}': import it with the mkpi-campaigns preset first"
            )),
        }
    }

    fn remember_campaign(&mut self, c: CampaignRow) {
        let name = c.name.to_lowercase();
        let entry = self
            .campaigns_by_name
            .entry(name)
            .or_insert(Some(c.external_id.clone()));
        if entry.as_deref() != Some(c.external_id.as_str()) {
            *entry = None;
        }
        self.campaigns.insert(c.external_id.clone(), c);
    }

    /// Rows of a generic fact: references resolved, each row keyed, then
    /// compared with what is stored and written.
    async fn rows(&mut self, tx: &mut Tx, batch: Vec<(u64, Row)>) -> Result<()> {
        let Some(table) = self.table.clone() else {
            return Ok(());
        };
        let fact = self.fact;
        let key_columns: Vec<usize> = fact
            .key()
            .iter()
            .filter_map(|k| {
                let column = fact.field(k)?.column?;
                table.columns.iter().position(|(c, _)| *c == column)
            })
            .collect();
        let mut valid: Vec<(u64, FactRow)> = Vec::with_capacity(batch.len());
        for (row, r) in batch {
            let mut values = Vec::with_capacity(table.columns.len());
            let mut bad = false;
            for (spec, v) in fact.fields().iter().zip(r.values) {
                if spec.column.is_none() {
                    continue;
                }
                if let (Some(Ref::Employee), Value::Text(t)) = (spec.refers, &v) {
                    self.answer(tx, t).await?;
                }
                let json = match (spec.refers, v) {
                    (_, Value::Missing) => serde_json::Value::Null,
                    (Some(Ref::Employee), Value::Text(t)) => {
                        match self.employee(row, spec.name, &t) {
                            Ok(id) => id.into(),
                            Err(reason) => {
                                self.problem(row, spec.name, &t, reason);
                                bad = true;
                                serde_json::Value::Null
                            }
                        }
                    }
                    (Some(Ref::Campaign), Value::Text(t)) => match self.campaign(&t) {
                        Ok(c) => c.id.into(),
                        Err(reason) => {
                            self.problem(row, spec.name, &t, reason);
                            bad = true;
                            serde_json::Value::Null
                        }
                    },
                    (_, Value::Text(t)) => t.into(),
                    (_, Value::Int(n)) => n.into(),
                    (_, Value::Float(x)) => x.into(),
                };
                values.push(json);
            }
            if let Some(i) = table.columns.iter().position(|(c, _)| *c == "currency")
                && values[i].is_null()
            {
                self.problem(
                    row,
                    "currency",
                    "",
                    "no currency: add a currency column, or a [defaults] currency to the mapping"
                        .to_string(),
                );
                bad = true;
            }
            if bad {
                self.rows_rejected += 1;
                continue;
            }
            let key = key_columns
                .iter()
                .map(|i| match &values[*i] {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Null => String::new(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join("\u{1f}");
            valid.push((
                row,
                FactRow {
                    key,
                    values,
                    import_id: self.import_id,
                },
            ));
        }
        if valid.is_empty() {
            return Ok(());
        }
        let mut keys: Vec<String> = valid.iter().map(|(_, r)| r.key.clone()).collect();
        keys.sort_unstable();
        keys.dedup();
        let mut stored: HashMap<String, FactRow> = facts::existing(tx, &table, &keys)
            .await?
            .into_iter()
            .map(|r| (r.key.clone(), r))
            .collect();
        let mut writes = Vec::with_capacity(valid.len());
        for (row, mut r) in valid {
            r.values = r
                .values
                .iter()
                .enumerate()
                .map(|(i, v)| table.normalise(i, v))
                .collect();
            match stored.get(&r.key) {
                Some(e) if e.import_id == self.import_id => {
                    self.rows_rejected += 1;
                    let reason = format!(
                        "repeats an earlier row of this file (same {})",
                        fact.key().join(", ")
                    );
                    let first_key = fact.key().first().copied().unwrap_or_default();
                    let shown = r.key.replace('\u{1f}', " | ");
                    self.problem(row, first_key, &shown, reason);
                    continue;
                }
                Some(e) if e.values == r.values => self.counts.unchanged += 1,
                Some(e) => {
                    revision(tx, self.import_id, fact.name(), &r.key, e).await?;
                    self.counts.updated += 1;
                    let as_object = |values: &[serde_json::Value]| {
                        serde_json::Value::Object(
                            table
                                .columns
                                .iter()
                                .zip(values)
                                .map(|((c, _), v)| (c.to_string(), v.clone()))
                                .collect(),
                        )
                    };
                    let (before, after) = (as_object(&e.values), as_object(&r.values));
                    self.changed(row, r.key.replace('\u{1f}', " | "), &before, &after);
                    writes.push(r.clone());
                }
                None => {
                    self.counts.added += 1;
                    writes.push(r.clone());
                }
            }
            stored.insert(r.key.clone(), r);
        }
        facts::upsert(tx, &table, &writes).await?;
        Ok(())
    }

    /// A campaign an import of ad statistics names for the first time,
    /// when its preset creates campaigns.
    async fn create_campaign(&mut self, tx: &mut Tx, r: &AdStatRecord) -> Result<Option<i64>> {
        let Some(defaults) = self.create_campaigns.clone() else {
            return Ok(None);
        };
        let values = CampaignValues {
            external_id: r.campaign.clone(),
            name: r
                .campaign_name
                .clone()
                .unwrap_or_else(|| r.campaign.clone()),
            platform: Some(defaults.platform),
            channel: Some(defaults.channel),
            owner_employee_id: None,
            budget_minor: None,
            currency: r.currency.clone(),
            start_date: None,
            end_date: None,
        };
        let id = campaigns::insert(tx, &values, Some(self.import_id), self.now).await?;
        self.campaigns_created += 1;
        self.remember_campaign(stored(id, values, self.import_id));
        Ok(Some(id))
    }

    async fn campaigns(&mut self, tx: &mut Tx, batch: Vec<(u64, CampaignRecord)>) -> Result<()> {
        for (row, r) in batch {
            if !self.seen_campaigns.insert(r.campaign.clone()) {
                self.rows_rejected += 1;
                self.problem(
                    row,
                    "campaign",
                    &r.campaign,
                    "appears twice in this file".to_string(),
                );
                continue;
            }
            for who in r.owner.iter().chain(r.contributors.iter().map(|(e, _)| e)) {
                self.answer(tx, who).await?;
            }
            let owner = match &r.owner {
                None => None,
                Some(email) => match self.employee(row, "owner", email) {
                    Ok(id) => Some(id),
                    Err(reason) => {
                        self.rows_rejected += 1;
                        self.problem(row, "owner", email, reason);
                        continue;
                    }
                },
            };
            let mut contributors = Vec::with_capacity(r.contributors.len());
            let mut unknown = None;
            for (email, share) in &r.contributors {
                match self.employee(row, "contributors", email) {
                    Ok(id) => contributors.push((id, *share)),
                    Err(reason) => unknown = Some((email.clone(), reason)),
                }
            }
            if let Some((email, reason)) = unknown {
                self.rows_rejected += 1;
                self.problem(row, "contributors", &email, reason);
                continue;
            }
            contributors.sort_unstable();
            let values = CampaignValues {
                external_id: r.campaign.clone(),
                name: r.name,
                platform: r.platform,
                channel: r.channel,
                owner_employee_id: owner,
                budget_minor: r.budget_minor,
                currency: r.currency,
                start_date: r.start,
                end_date: r.end,
            };
            match self.campaigns.get(&r.campaign) {
                None => {
                    let id = campaigns::insert(tx, &values, Some(self.import_id), self.now).await?;
                    campaigns::set_contributors(tx, id, &contributors).await?;
                    self.counts.added += 1;
                    self.contributors.insert(id, contributors);
                    self.remember_campaign(stored(id, values, self.import_id));
                }
                Some(existing)
                    if CampaignValues::from(existing) == values
                        && self
                            .contributors
                            .get(&existing.id)
                            .map_or(&[][..], Vec::as_slice)
                            == contributors.as_slice() =>
                {
                    self.counts.unchanged += 1
                }
                Some(existing) => {
                    let id = existing.id;
                    let previous = CampaignRevision {
                        values: CampaignValues::from(existing),
                        import_id: existing.import_id,
                        contributors: self.contributors.get(&id).cloned().unwrap_or_default(),
                    };
                    revision(tx, self.import_id, "campaigns", &r.campaign, &previous).await?;
                    let after = CampaignRevision {
                        values: values.clone(),
                        import_id: previous.import_id,
                        contributors: contributors.clone(),
                    };
                    // People as their e-mails and shares as percentages.
                    let email_of = |id: i64| {
                        self.employees_by_email
                            .iter()
                            .find(|(_, e)| **e == id)
                            .map_or_else(|| format!("#{id}"), |(m, _)| m.clone())
                    };
                    let flat = |c: &CampaignRevision| {
                        let mut v = serde_json::to_value(&c.values).unwrap_or_default();
                        if let Some(o) = v.as_object_mut() {
                            let mut people: Vec<String> = c
                                .contributors
                                .iter()
                                .map(|(id, bp)| {
                                    format!("{}: {}%", email_of(*id), *bp as f64 / 100.0)
                                })
                                .collect();
                            people.sort();
                            o.insert("contributors".into(), json!(people.join("; ")));
                            if let Some(owner) = c.values.owner_employee_id {
                                o.insert("owner_employee_id".into(), json!(email_of(owner)));
                            }
                        }
                        v
                    };
                    self.changed(row, r.campaign.clone(), &flat(&previous), &flat(&after));
                    campaigns::update(tx, id, &values, Some(self.import_id), self.now).await?;
                    campaigns::set_contributors(tx, id, &contributors).await?;
                    self.counts.updated += 1;
                    self.contributors.insert(id, contributors);
                    self.remember_campaign(stored(id, values, self.import_id));
                }
            }
        }
        Ok(())
    }

    async fn ad_stats(&mut self, tx: &mut Tx, batch: Vec<(u64, AdStatRecord)>) -> Result<()> {
        let mut valid: Vec<(u64, AdStatValues)> = Vec::with_capacity(batch.len());
        for (row, r) in batch {
            // The lookup is paid twice only by presets that create campaigns.
            if self.create_campaigns.is_some() && self.campaign(&r.campaign).is_err() {
                self.create_campaign(tx, &r).await?;
            }
            let (campaign_id, own_currency) = match self.campaign(&r.campaign) {
                Ok(c) => (c.id, c.currency.clone()),
                Err(reason) => {
                    self.rows_rejected += 1;
                    self.problem(row, "campaign", &r.campaign, reason);
                    continue;
                }
            };
            let currency = match (&r.currency, &own_currency) {
                (Some(c), Some(own)) if c != own => {
                    let reason = format!(
                        "is {c}, but campaign {} is in {own}: amounts in different currencies cannot be added up",
                        r.campaign
                    );
                    self.rows_rejected += 1;
                    self.problem(row, "currency", c, reason);
                    continue;
                }
                (Some(c), _) | (None, Some(c)) => c.clone(),
                (None, None) => {
                    self.rows_rejected += 1;
                    let reason = format!(
                        "no currency: add a currency column or set one for campaign {}",
                        r.campaign
                    );
                    self.problem(row, "currency", "", reason);
                    continue;
                }
            };
            valid.push((
                row,
                AdStatValues {
                    campaign_id,
                    date: r.date,
                    impressions: r.impressions,
                    clicks: r.clicks,
                    spend_minor: r.spend_minor,
                    conversions: r.conversions,
                    conversion_value_minor: r.conversion_value_minor,
                    currency,
                    vat_included: r.vat_included.map(i64::from),
                },
            ));
        }
        if valid.is_empty() {
            return Ok(());
        }
        let mut ids: Vec<i64> = valid.iter().map(|(_, v)| v.campaign_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let from = valid
            .iter()
            .map(|(_, v)| v.date.as_str())
            .min()
            .unwrap_or_default()
            .to_string();
        let to = valid
            .iter()
            .map(|(_, v)| v.date.as_str())
            .max()
            .unwrap_or_default()
            .to_string();
        self.ad_days = Some(match self.ad_days.take() {
            Some((a, b)) => (a.min(from.clone()), b.max(to.clone())),
            None => (from.clone(), to.clone()),
        });
        let stored: HashMap<(i64, String), AdStatRow> = ad_stats::existing(tx, &ids, &from, &to)
            .await?
            .into_iter()
            .map(|r| ((r.values.campaign_id, r.values.date.clone()), r))
            .collect();
        // Keys this batch writes: a second row with one of them repeats an
        // earlier row of the file, as does a stored row this import wrote.
        let mut written: HashSet<(i64, String)> = HashSet::with_capacity(valid.len());
        let mut writes = Vec::with_capacity(valid.len());
        for (row, v) in valid {
            let key = (v.campaign_id, v.date.clone());
            let previous = stored.get(&key);
            if previous.is_some_and(|e| e.import_id == self.import_id) || written.contains(&key) {
                self.rows_rejected += 1;
                let reason =
                    "repeats an earlier row of this file (same campaign and date)".to_string();
                self.problem(row, "date", &v.date, reason);
                continue;
            }
            match previous {
                Some(e) if e.values == v => {
                    self.counts.unchanged += 1;
                    written.insert(key);
                    continue;
                }
                Some(e) => {
                    revision(
                        tx,
                        self.import_id,
                        "ad_stats",
                        &format!("{}|{}", key.0, key.1),
                        e,
                    )
                    .await?;
                    self.counts.updated += 1;
                    if self.changes.len() < MAX_CHANGES {
                        let campaign = self
                            .campaigns
                            .values()
                            .find(|c| c.id == v.campaign_id)
                            .map_or_else(|| v.campaign_id.to_string(), |c| c.external_id.clone());
                        self.changed(row, format!("{campaign} | {}", v.date), &e.values, &v);
                    }
                }
                None => self.counts.added += 1,
            }
            written.insert(key);
            writes.push(v);
        }
        ad_stats::upsert(tx, &writes, self.import_id).await?;
        Ok(())
    }
}

fn stored(id: i64, v: CampaignValues, import_id: i64) -> CampaignRow {
    CampaignRow {
        id,
        external_id: v.external_id,
        name: v.name,
        platform: v.platform,
        channel: v.channel,
        owner_employee_id: v.owner_employee_id,
        budget_minor: v.budget_minor,
        currency: v.currency,
        start_date: v.start_date,
        end_date: v.end_date,
        import_id: Some(import_id),
        strategy_id: None,
        goal_id: None,
        shares_from: None,
    }
}

async fn revision<T: Serialize>(
    tx: &mut Tx,
    import_id: i64,
    fact: &str,
    key: &str,
    previous: &T,
) -> Result<()> {
    let json = serde_json::to_string(previous).map_err(|e| Error::Internal(e.to_string()))?;
    imports::add_revision(tx, import_id, fact, key, &json).await?;
    Ok(())
}

/// Campaigns still referred to by other data cannot go.
fn in_use(e: mkpi_store::StoreError) -> Error {
    match e {
        mkpi_store::StoreError::MissingReference { .. } => Error::Conflict(
            "campaigns of this import are used by later imports (ad statistics, orders, time entries or tasks); roll those back first"
                .to_string(),
        ),
        other => other.into(),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Services {
    /// Imports one file. Problems do not make this an error: the report
    /// lists them and says nothing was stored.
    #[tracing::instrument(skip(self, by, input, request), fields(source = %request.source, preset = %request.preset.name))]
    pub async fn import_file<R: Read + Send + 'static>(
        &self,
        by: Principal<'_>,
        input: R,
        request: ImportRequest,
    ) -> Result<ImportReport> {
        let author = by.require_admin()?;
        let now = self.clock.now();
        let preset = request.preset.clone();
        let (sender, mut receiver) = tokio::sync::mpsc::channel::<Vec<(u64, Record)>>(4);
        let reading = tokio::task::spawn_blocking(move || {
            let hasher = std::sync::Arc::new(std::sync::Mutex::new(Sha256::new()));
            let hashing = Hashing {
                inner: input,
                hasher: hasher.clone(),
            };
            let mut batch = Vec::with_capacity(BATCH);
            let mut open = true;
            let outcome = mkpi_ingest::table::read(hashing, &preset, |row, record| {
                batch.push((row, record));
                if batch.len() == BATCH && open {
                    open = sender
                        .blocking_send(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))
                        .is_ok();
                }
            });
            if open && !batch.is_empty() {
                let _ = sender.blocking_send(batch);
            }
            drop(sender);
            let hash = hasher
                .lock()
                .map(|h| hex(&h.clone().finalize()))
                .unwrap_or_default();
            (outcome, hash)
        });

        let mut tx = self.store.begin().await?;
        tx.set_cache_kib(IMPORT_CACHE_KIB).await?;
        let import_id = imports::insert(
            &mut tx,
            &NewImport {
                at: now,
                actor_user_id: author.user_id,
                actor: &author.label,
                source: &request.source,
                file_hash: None,
                preset: &request.preset.name,
                fact: request.preset.fact.name(),
            },
        )
        .await?;
        let mut writer = Writer {
            ad_days: None,
            import_id,
            now,
            counts: ImportCounts::default(),
            problems: Vec::new(),
            problem_count: 0,
            rows_rejected: 0,
            changes: Vec::new(),
            campaigns: HashMap::new(),
            contributors: HashMap::new(),
            campaigns_by_name: HashMap::new(),
            employees_by_email: HashMap::new(),
            employees_by_name: HashMap::new(),
            aliases: HashMap::new(),
            unknown: std::collections::BTreeMap::new(),
            answers: Answers::default(),
            seen_campaigns: HashSet::new(),
            fact: request.preset.fact,
            table: request
                .preset
                .fact
                .is_generic()
                .then(|| table_of(request.preset.fact)),
            create_campaigns: request.preset.create_campaigns.clone(),
            campaigns_created: 0,
            teams_created: 0,
            accounts_created: 0,
        };
        for c in campaigns::all(&mut tx).await? {
            writer.remember_campaign(c);
        }
        if writer.fact == Fact::Campaigns {
            for (campaign, employee, share) in campaigns::all_contributors(&mut tx).await? {
                writer
                    .contributors
                    .entry(campaign)
                    .or_default()
                    .push((employee, share));
            }
        }
        let everyone =
            mkpi_domain::Scope::new(0, mkpi_domain::Role::Admin, None, &Default::default());
        for e in employees::list(&mut tx, &everyone).await? {
            writer
                .employees_by_email
                .insert(e.email.to_lowercase(), e.id);
            let entry = writer
                .employees_by_name
                .entry(e.name.to_lowercase())
                .or_insert(Some(e.id));
            if *entry != Some(e.id) {
                *entry = None;
            }
        }
        // How this source names people: kept answers, then this run's.
        let source = request.preset.name.as_str();
        writer.aliases = mkpi_store::aliases::of_source(&mut tx, source)
            .await?
            .into_iter()
            .collect();
        let (answers, unreadable) =
            Answers::new(&mut tx, source, &request.people, &self.clock.today()).await?;
        writer.answers = answers;
        for p in unreadable {
            writer.problem(p.row, &p.column, &p.value, p.reason);
        }
        let mut staff_rows = Vec::new();
        while let Some(batch) = receiver.recv().await {
            let mut campaign_batch = Vec::new();
            let mut stat_batch = Vec::new();
            let mut row_batch = Vec::new();
            for (row, record) in batch {
                match record {
                    Record::Campaign(c) => campaign_batch.push((row, c)),
                    Record::AdStat(s) => stat_batch.push((row, s)),
                    Record::Row(r) => row_batch.push((row, r)),
                }
            }
            writer.campaigns(&mut tx, campaign_batch).await?;
            writer.ad_stats(&mut tx, stat_batch).await?;
            if writer.fact == Fact::Employees {
                // A staff list is read whole: managers may come later in it.
                staff_rows.extend(row_batch);
            } else {
                writer.rows(&mut tx, row_batch).await?;
            }
        }
        if writer.fact == Fact::Employees {
            let today = self.clock.today();
            let staff = crate::staff::write(&mut tx, staff_rows, import_id, now, &today).await?;
            writer.counts.added += staff.added;
            writer.counts.updated += staff.updated;
            writer.counts.unchanged += staff.unchanged;
            writer.teams_created = staff.teams_created;
            writer.accounts_created = staff.accounts_created;
            for p in staff.problems {
                writer.problem(p.row, &p.column, &p.value, p.reason);
                writer.rows_rejected += 1;
            }
            for (row, key, before, after) in staff.changes {
                writer.changed(row, key, &before, &after);
            }
        }
        let (outcome, file_hash) = reading
            .await
            .map_err(|e| Error::Internal(format!("the reader failed: {e}")))?;
        let outcome: ReadOutcome = outcome.map_err(|e| Error::invalid("file", e.to_string()))?;

        writer.counts.read = i64::try_from(outcome.rows).unwrap_or(i64::MAX);
        let mut problems = outcome.problems;
        problems.extend(writer.problems);
        problems.sort_by_key(|p| p.row);
        problems.truncate(mkpi_ingest::table::MAX_PROBLEMS);
        let problem_count = outcome.problem_count + writer.problem_count;
        let rows_rejected = outcome.rows - outcome.records + writer.rows_rejected;
        let applied = problem_count == 0 && !request.dry_run;
        let mut report = ImportReport {
            import_id: applied.then_some(import_id),
            applied,
            dry_run: request.dry_run,
            source: request.source,
            preset: request.preset.name.clone(),
            fact: request.preset.fact.name().to_string(),
            file_hash,
            encoding: outcome.info.encoding.name().to_string(),
            delimiter: outcome.info.delimiter,
            header_row: outcome.info.header_row,
            counts: writer.counts,
            campaigns_created: writer.campaigns_created,
            teams_created: writer.teams_created,
            accounts_created: writer.accounts_created,
            unknown_people: writer.unknown.into_values().collect(),
            people_created: writer.answers.created,
            aliases_added: writer.answers.aliases_added,
            rows_rejected,
            problems,
            problem_count,
            changes: writer.changes,
        };
        if !applied {
            // Rolling back undoes every row written so far.
            tx.set_cache_kib(NORMAL_CACHE_KIB).await?;
            drop(tx);
            return Ok(report);
        }
        imports::set_counts(&mut tx, import_id, report.counts).await?;
        imports::set_hash(&mut tx, import_id, &report.file_hash).await?;
        let days = match &writer.ad_days {
            Some((from, to)) => rollups::Days::Between(from.clone(), to.clone()),
            None => rollups::Days::All,
        };
        rollups::refresh_for(&mut tx, &report.fact, &days).await?;
        audit::record(
            &mut tx,
            now,
            &author,
            Change {
                action: "import",
                entity: "import",
                entity_id: Some(import_id),
                before: None,
                after: Some(json!({
                    "source": report.source, "preset": report.preset, "file_hash": report.file_hash,
                    "read": report.counts.read, "added": report.counts.added,
                    "updated": report.counts.updated, "unchanged": report.counts.unchanged,
                    "people_created": report.people_created, "aliases_added": report.aliases_added,
                })),
            },
        )
        .await?;
        tx.set_cache_kib(NORMAL_CACHE_KIB).await?;
        tx.commit().await?;
        report.import_id = Some(import_id);
        // The import is in; fresh statistics keep the metrics' plans good.
        if let Err(e) = self.store.analyze().await {
            tracing::warn!(error = %e, "cannot refresh the planner's statistics");
        }
        Ok(report)
    }

    /// The newest imports first.
    pub async fn list_imports(&self, by: Principal<'_>, limit: i64) -> Result<Vec<ImportRow>> {
        by.require_admin()?;
        let mut tx = self.store.read().await?;
        Ok(imports::list(&mut tx, limit.clamp(1, 1000)).await?)
    }

    /// The imports (the newest 1,000) whose file, preset, data, status or
    /// author contain `q` (any case; all for an empty search).
    pub async fn find_imports(&self, by: Principal<'_>, q: &str) -> Result<Vec<ImportRow>> {
        let needle = q.trim().to_lowercase();
        Ok(self
            .list_imports(by, 1000)
            .await?
            .into_iter()
            .filter(|r| {
                needle.is_empty()
                    || [&r.source, &r.preset, &r.fact, &r.status, &r.actor]
                        .iter()
                        .any(|t| t.to_lowercase().contains(&needle))
            })
            .collect())
    }

    /// The import a rollback may undo now: the most recent applied one.
    pub async fn latest_applied_import(&self, by: Principal<'_>) -> Result<Option<i64>> {
        by.require_admin()?;
        let mut tx = self.store.read().await?;
        Ok(imports::latest_applied(&mut tx).await?)
    }

    /// Undoes the most recent import: rows it added are removed, rows it
    /// changed get their previous values back.
    pub async fn rollback_import(&self, by: Principal<'_>, import_id: i64) -> Result<ImportRow> {
        let author = by.require_admin()?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let import = imports::get(&mut tx, import_id).await?;
        if import.status == "rolled_back" {
            return Err(Error::Conflict(format!(
                "import #{import_id} is already rolled back"
            )));
        }
        if let Some(latest) = imports::latest_applied(&mut tx).await?
            && latest != import_id
        {
            return Err(Error::Conflict(format!(
                "only the most recent import can be rolled back: roll back import #{latest} first"
            )));
        }
        let revisions = imports::revisions(&mut tx, import_id, &import.fact).await?;
        let broken =
            |e: serde_json::Error| Error::Internal(format!("a stored revision is unreadable: {e}"));
        match Fact::from_name(&import.fact) {
            Some(Fact::AdStats) => {
                ad_stats::delete_by_import(&mut tx, import_id).await?;
                for (_, previous) in &revisions {
                    let row: AdStatRow = serde_json::from_str(previous).map_err(broken)?;
                    ad_stats::upsert(&mut tx, std::slice::from_ref(&row.values), row.import_id)
                        .await?;
                }
                // Campaigns the import created go with it.
                campaigns::delete_added_by(&mut tx, import_id)
                    .await
                    .map_err(in_use)?;
            }
            Some(Fact::Campaigns) => {
                let all = campaigns::all(&mut tx).await?;
                for (key, previous) in &revisions {
                    let rev: CampaignRevision = serde_json::from_str(previous).map_err(broken)?;
                    if let Some(c) = all.iter().find(|c| &c.external_id == key) {
                        campaigns::update(&mut tx, c.id, &rev.values, rev.import_id, now).await?;
                        campaigns::set_contributors(&mut tx, c.id, &rev.contributors).await?;
                    }
                }
                campaigns::delete_added_by(&mut tx, import_id)
                    .await
                    .map_err(in_use)?;
            }
            Some(Fact::Employees) => {
                crate::staff::roll_back(&mut tx, import_id, &revisions, now).await?;
            }
            Some(fact) => {
                let table = table_of(fact);
                facts::delete_by_import(&mut tx, &table, import_id).await?;
                let previous: Vec<FactRow> = revisions
                    .iter()
                    .map(|(_, p)| serde_json::from_str(p))
                    .collect::<std::result::Result<_, _>>()
                    .map_err(broken)?;
                facts::upsert(&mut tx, &table, &previous).await?;
            }
            None => {
                return Err(Error::Internal(format!(
                    "unknown fact '{}' in import #{import_id}",
                    import.fact
                )));
            }
        }
        if import.fact != Fact::Employees.name() {
            crate::import_people::roll_back(&mut tx, import_id).await?;
        }
        rollups::refresh_for(&mut tx, &import.fact, &rollups::Days::All).await?;
        imports::mark_rolled_back(&mut tx, import_id, now).await?;
        audit::record(
            &mut tx,
            now,
            &author,
            Change {
                action: "rollback",
                entity: "import",
                entity_id: Some(import_id),
                before: Some(json!({"status": "applied"})),
                after: Some(json!({"status": "rolled_back", "restored_rows": revisions.len()})),
            },
        )
        .await?;
        let row = imports::get(&mut tx, import_id).await?;
        tx.commit().await?;
        Ok(row)
    }
}

impl Services {
    /// Imports a JSON batch (the ingest API): the records go through the
    /// same reader and checks as a file of the fact's canonical format. In
    /// problems, row N is the N-th record.
    pub async fn import_records(
        &self,
        by: Principal<'_>,
        fact: mkpi_ingest::Fact,
        records: &[serde_json::Map<String, serde_json::Value>],
        dry_run: bool,
        people: Vec<PersonAnswer>,
    ) -> Result<ImportReport> {
        self.import_records_from(by, "api", fact, records, dry_run, people)
            .await
    }

    /// [`Services::import_records`] with another source for the record
    /// (`manual` for rows entered by hand).
    pub async fn import_records_from(
        &self,
        by: Principal<'_>,
        source: &str,
        fact: mkpi_ingest::Fact,
        records: &[serde_json::Map<String, serde_json::Value>],
        dry_run: bool,
        people: Vec<PersonAnswer>,
    ) -> Result<ImportReport> {
        by.require_admin()?;
        let preset = Preset::canonical(fact);
        let empty_report = |problems: Vec<Problem>| ImportReport {
            import_id: None,
            applied: false,
            dry_run,
            source: source.to_string(),
            preset: preset.name.clone(),
            fact: fact.name().to_string(),
            file_hash: String::new(),
            encoding: "UTF-8".to_string(),
            delimiter: Some(','),
            header_row: 0,
            counts: ImportCounts::default(),
            campaigns_created: 0,
            teams_created: 0,
            accounts_created: 0,
            unknown_people: Vec::new(),
            people_created: 0,
            aliases_added: 0,
            rows_rejected: problems.iter().map(|p| p.row).collect::<HashSet<_>>().len() as u64,
            changes: Vec::new(),
            problem_count: problems.len() as u64,
            problems,
        };
        if records.is_empty() {
            return Err(Error::invalid("records", "the batch holds no records"));
        }
        let csv = match mkpi_ingest::json::to_csv(fact, records) {
            Ok(csv) => csv,
            Err(problems) => return Ok(empty_report(problems)),
        };
        let request = ImportRequest {
            source: source.to_string(),
            preset: preset.clone(),
            dry_run,
            people,
        };
        let mut report = self
            .import_file(by, std::io::Cursor::new(csv), request)
            .await?;
        for p in &mut report.problems {
            p.row = mkpi_ingest::json::record_number(p.row);
        }
        for u in &mut report.unknown_people {
            u.first_row = mkpi_ingest::json::record_number(u.first_row);
        }
        Ok(report)
    }
}

/// How much of one fact is stored, and over which days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FactSpan {
    pub fact: String,
    pub rows: i64,
    pub first: Option<String>,
    pub last: Option<String>,
}

impl Services {
    /// Every fact with its row count and date span (admins, for the
    /// imports page).
    pub async fn fact_spans(&self, by: Principal<'_>) -> Result<Vec<FactSpan>> {
        by.require_admin()?;
        let mut tx = self.store.read().await?;
        let mut out = Vec::new();
        for fact in Fact::ALL.into_iter().filter(|f| *f != Fact::Employees) {
            let date_column = match fact {
                Fact::Campaigns => "start_date",
                Fact::LeadStages => "at",
                Fact::Tasks => "created",
                _ => "date",
            };
            let (rows, first, last) = facts::span(&mut tx, fact.name(), date_column).await?;
            out.push(FactSpan {
                fact: fact.name().to_string(),
                rows,
                first: first.map(|d| d.chars().take(10).collect()),
                last: last.map(|d| d.chars().take(10).collect()),
            });
        }
        Ok(out)
    }
}
