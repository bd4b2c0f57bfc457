//! Importing files of facts. A file is read with a preset (mkpi-ingest),
//! its records are checked against what is stored (campaigns, owners,
//! currencies, repeats), and written in one transaction: the file lands
//! whole or not at all. Re-importing the same rows updates them, never
//! duplicates; a dry run does everything but commit. Every import is
//! recorded and the most recent one can be rolled back exactly.

use std::collections::{HashMap, HashSet};
use std::io::Read;

pub use mkpi_ingest::Problem;
use mkpi_ingest::fact::{AdStatRecord, CampaignRecord};
use mkpi_ingest::{Preset, ReadOutcome, Record};
use mkpi_store::Tx;
use mkpi_store::ad_stats::{self, AdStatRow, AdStatValues};
use mkpi_store::campaigns::{self, CampaignRow, CampaignValues};
use mkpi_store::employees;
use mkpi_store::imports::{self, NewImport};
pub use mkpi_store::imports::{ImportCounts, ImportRow};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::audit::{self, Change};
use crate::users::Principal;
use crate::{Error, Result, Services};

/// Records handed from the reading thread to the writer at a time.
const BATCH: usize = 2000;

/// What to import and how.
#[derive(Debug, Clone)]
pub struct ImportRequest {
    /// The file name (or `api`), for the record.
    pub source: String,
    pub preset: Preset,
    /// Check and count everything, store nothing.
    pub dry_run: bool,
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
    pub rows_rejected: u64,
    /// The first problems; `problem_count` has them all.
    pub problems: Vec<Problem>,
    pub problem_count: u64,
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
}

/// What the writer knows while it goes through a file.
struct Writer {
    import_id: i64,
    now: i64,
    counts: ImportCounts,
    problems: Vec<Problem>,
    problem_count: u64,
    rows_rejected: u64,
    campaigns: HashMap<String, CampaignRow>,
    employees_by_email: HashMap<String, i64>,
    seen_campaigns: HashSet<String>,
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
            let owner = match &r.owner {
                None => None,
                Some(email) => match self.employees_by_email.get(email) {
                    Some(id) => Some(*id),
                    None => {
                        self.rows_rejected += 1;
                        self.problem(
                            row,
                            "owner",
                            email,
                            format!("no employee has the e-mail {email}"),
                        );
                        continue;
                    }
                },
            };
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
                    self.counts.added += 1;
                    self.campaigns
                        .insert(r.campaign, stored(id, values, self.import_id));
                }
                Some(existing) if CampaignValues::from(existing) == values => {
                    self.counts.unchanged += 1
                }
                Some(existing) => {
                    let previous = CampaignRevision {
                        values: CampaignValues::from(existing),
                        import_id: existing.import_id,
                    };
                    let id = existing.id;
                    revision(tx, self.import_id, "campaigns", &r.campaign, &previous).await?;
                    campaigns::update(tx, id, &values, Some(self.import_id), self.now).await?;
                    self.counts.updated += 1;
                    self.campaigns
                        .insert(r.campaign, stored(id, values, self.import_id));
                }
            }
        }
        Ok(())
    }

    async fn ad_stats(&mut self, tx: &mut Tx, batch: Vec<(u64, AdStatRecord)>) -> Result<()> {
        let mut valid: Vec<(u64, AdStatValues)> = Vec::with_capacity(batch.len());
        for (row, r) in batch {
            let Some(campaign) = self.campaigns.get(&r.campaign) else {
                self.rows_rejected += 1;
                let reason = format!(
                    "unknown campaign '{}': import it with the mkpi-campaigns preset first",
                    r.campaign
                );
                self.problem(row, "campaign", &r.campaign, reason);
                continue;
            };
            let currency = match (&r.currency, &campaign.currency) {
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
                    campaign_id: campaign.id,
                    date: r.date,
                    impressions: r.impressions,
                    clicks: r.clicks,
                    spend_minor: r.spend_minor,
                    conversions: r.conversions,
                    conversion_value_minor: r.conversion_value_minor,
                    currency,
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
        let mut stored: HashMap<(i64, String), AdStatRow> =
            ad_stats::existing(tx, &ids, &from, &to)
                .await?
                .into_iter()
                .map(|r| ((r.values.campaign_id, r.values.date.clone()), r))
                .collect();
        let mut writes = Vec::with_capacity(valid.len());
        for (row, v) in valid {
            let key = (v.campaign_id, v.date.clone());
            match stored.get(&key) {
                Some(e) if e.import_id == self.import_id => {
                    self.rows_rejected += 1;
                    let reason =
                        "repeats an earlier row of this file (same campaign and date)".to_string();
                    self.problem(row, "date", &v.date, reason);
                    continue;
                }
                Some(e) if e.values == v => self.counts.unchanged += 1,
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
                    writes.push(v.clone());
                }
                None => {
                    self.counts.added += 1;
                    writes.push(v.clone());
                }
            }
            stored.insert(
                key,
                AdStatRow {
                    values: v,
                    import_id: self.import_id,
                },
            );
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
            import_id,
            now,
            counts: ImportCounts::default(),
            problems: Vec::new(),
            problem_count: 0,
            rows_rejected: 0,
            campaigns: campaigns::all(&mut tx)
                .await?
                .into_iter()
                .map(|c| (c.external_id.clone(), c))
                .collect(),
            employees_by_email: HashMap::new(),
            seen_campaigns: HashSet::new(),
        };
        if request.preset.fact == mkpi_ingest::Fact::Campaigns {
            let everyone =
                mkpi_domain::Scope::new(0, mkpi_domain::Role::Admin, None, &Default::default());
            writer.employees_by_email = employees::list(&mut tx, &everyone)
                .await?
                .into_iter()
                .map(|e| (e.email, e.id))
                .collect();
        }
        while let Some(batch) = receiver.recv().await {
            let mut campaign_batch = Vec::new();
            let mut stat_batch = Vec::new();
            for (row, record) in batch {
                match record {
                    Record::Campaign(c) => campaign_batch.push((row, c)),
                    Record::AdStat(s) => stat_batch.push((row, s)),
                }
            }
            writer.campaigns(&mut tx, campaign_batch).await?;
            writer.ad_stats(&mut tx, stat_batch).await?;
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
            rows_rejected,
            problems,
            problem_count,
        };
        if !applied {
            // Dropping the transaction undoes every row written so far.
            drop(tx);
            return Ok(report);
        }
        imports::set_counts(&mut tx, import_id, report.counts).await?;
        imports::set_hash(&mut tx, import_id, &report.file_hash).await?;
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
                })),
            },
        )
        .await?;
        tx.commit().await?;
        report.import_id = Some(import_id);
        Ok(report)
    }

    /// The newest imports first.
    pub async fn list_imports(&self, by: Principal<'_>, limit: i64) -> Result<Vec<ImportRow>> {
        by.require_admin()?;
        let mut tx = self.store.read().await?;
        Ok(imports::list(&mut tx, limit.clamp(1, 1000)).await?)
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
        match import.fact.as_str() {
            "ad_stats" => {
                ad_stats::delete_by_import(&mut tx, import_id).await?;
                for (_, previous) in &revisions {
                    let row: AdStatRow = serde_json::from_str(previous).map_err(broken)?;
                    ad_stats::upsert(&mut tx, std::slice::from_ref(&row.values), row.import_id)
                        .await?;
                }
            }
            "campaigns" => {
                let all = campaigns::all(&mut tx).await?;
                for (key, previous) in &revisions {
                    let rev: CampaignRevision = serde_json::from_str(previous).map_err(broken)?;
                    if let Some(c) = all.iter().find(|c| &c.external_id == key) {
                        campaigns::update(&mut tx, c.id, &rev.values, rev.import_id, now).await?;
                    }
                }
                campaigns::delete_added_by(&mut tx, import_id).await.map_err(|e| match e {
                    mkpi_store::StoreError::MissingReference { .. } => Error::Conflict(
                        "campaigns of this import have ad statistics; roll those imports back first".to_string(),
                    ),
                    other => other.into(),
                })?;
            }
            other => {
                return Err(Error::Internal(format!(
                    "unknown fact '{other}' in import #{import_id}"
                )));
            }
        }
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
    ) -> Result<ImportReport> {
        by.require_admin()?;
        let preset = Preset::find(&format!("mkpi-{}", fact.name().replace('_', "-")))
            .map_err(|e| Error::Internal(e.to_string()))?;
        let empty_report = |problems: Vec<Problem>| ImportReport {
            import_id: None,
            applied: false,
            dry_run,
            source: "api".to_string(),
            preset: preset.name.clone(),
            fact: fact.name().to_string(),
            file_hash: String::new(),
            encoding: "UTF-8".to_string(),
            delimiter: Some(','),
            header_row: 0,
            counts: ImportCounts::default(),
            rows_rejected: problems.iter().map(|p| p.row).collect::<HashSet<_>>().len() as u64,
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
            source: "api".to_string(),
            preset: preset.clone(),
            dry_run,
        };
        let mut report = self
            .import_file(by, std::io::Cursor::new(csv), request)
            .await?;
        for p in &mut report.problems {
            p.row = mkpi_ingest::json::record_number(p.row);
        }
        Ok(report)
    }
}
