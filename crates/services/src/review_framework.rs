//! The competency framework, edited by the head and admins: names and
//! level descriptors in both languages, new competencies, retiring one
//! (cycles that have it keep it), and per-position weights that shape a
//! perspective's mean for the people in that position.

use std::collections::BTreeMap;

use mkpi_domain::Role;
use mkpi_store::reviews::{self as store, CompetencyRow, NewCompetency};
use serde_json::json;

use crate::audit::{self, Change};
use crate::reviews::ensure_framework;
use crate::{Actor, Error, FieldProblem, Result, Services};

/// A competency as entered.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CompetencyInput {
    pub code: String,
    pub name_en: String,
    pub name_ru: String,
    /// What a low, a middle and a high rating look like.
    pub levels_en: Vec<String>,
    pub levels_ru: Vec<String>,
}

/// The most a weight may be: ten times an ordinary competency.
pub const MAX_WEIGHT: f64 = 10.0;

fn check(input: &CompetencyInput, problems: &mut Vec<FieldProblem>) {
    for (field, text) in [("name_en", &input.name_en), ("name_ru", &input.name_ru)] {
        let n = text.trim().chars().count();
        if n == 0 || n > 200 {
            problems.push(FieldProblem::new(
                field,
                "give a name of 1 to 200 characters",
            ));
        }
    }
    for (field, levels) in [
        ("levels_en", &input.levels_en),
        ("levels_ru", &input.levels_ru),
    ] {
        let ok = levels.len() == 3
            && levels
                .iter()
                .all(|l| (1..=300).contains(&l.trim().chars().count()));
        if !ok {
            problems.push(FieldProblem::new(
                field,
                "describe a low, a middle and a high rating (three texts of 1 to 300 characters)",
            ));
        }
    }
}

fn levels_json(levels: &[String]) -> String {
    serde_json::to_string(&levels.iter().map(|l| l.trim()).collect::<Vec<_>>())
        .unwrap_or_else(|_| "[]".to_string())
}

fn may_edit(actor: &Actor) -> Result<()> {
    if matches!(actor.role, Role::Admin | Role::Head) {
        Ok(())
    } else {
        Err(Error::Forbidden)
    }
}

impl Services {
    /// Adds a competency to the framework (new cycles take it).
    pub async fn add_competency(
        &self,
        actor: &Actor,
        input: &CompetencyInput,
    ) -> Result<CompetencyRow> {
        may_edit(actor)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let existing = ensure_framework(&mut tx, now).await?;
        let mut problems = Vec::new();
        let code = input.code.trim();
        let code_ok = (2..=40).contains(&code.len())
            && code.starts_with(|c: char| c.is_ascii_lowercase())
            && code
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !code_ok {
            problems.push(FieldProblem::new(
                "code",
                format!(
                    "'{code}' is not a code: 2 to 40 lowercase letters, digits or _, starting with a letter"
                ),
            ));
        } else if store::competency_by_code(&mut tx, code).await?.is_some() {
            problems.push(FieldProblem::new(
                "code",
                format!("{code} is taken (a retired competency keeps its code)"),
            ));
        }
        check(input, &mut problems);
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let position = existing.len() as i64 + 100;
        let id = store::insert_competency(
            &mut tx,
            &NewCompetency {
                code,
                name_en: input.name_en.trim(),
                name_ru: input.name_ru.trim(),
                levels_en: &levels_json(&input.levels_en),
                levels_ru: &levels_json(&input.levels_ru),
                position,
            },
            now,
        )
        .await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "create",
                entity: "competency",
                entity_id: Some(id),
                before: None,
                after: Some(json!({"code": code, "name_en": input.name_en.trim(), "name_ru": input.name_ru.trim()})),
            },
        )
        .await?;
        let row = store::competency_by_code(&mut tx, code)
            .await?
            .ok_or(Error::NotFound)?;
        tx.commit().await?;
        Ok(row)
    }

    /// Rewrites a competency's names and level descriptors. Cycles share
    /// the framework's text; ratings given stay as they are.
    pub async fn update_competency(
        &self,
        actor: &Actor,
        code: &str,
        input: &CompetencyInput,
    ) -> Result<CompetencyRow> {
        may_edit(actor)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        ensure_framework(&mut tx, now).await?;
        let before = store::competency_by_code(&mut tx, code.trim())
            .await?
            .ok_or(Error::NotFound)?;
        let mut problems = Vec::new();
        check(input, &mut problems);
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        let (en, ru) = (levels_json(&input.levels_en), levels_json(&input.levels_ru));
        store::update_competency(
            &mut tx,
            before.id,
            &NewCompetency {
                code: &before.code,
                name_en: input.name_en.trim(),
                name_ru: input.name_ru.trim(),
                levels_en: &en,
                levels_ru: &ru,
                position: 0,
            },
        )
        .await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "update",
                entity: "competency",
                entity_id: Some(before.id),
                before: Some(json!({"name_en": before.name_en, "name_ru": before.name_ru,
                    "levels_en": before.levels_en, "levels_ru": before.levels_ru})),
                after: Some(
                    json!({"name_en": input.name_en.trim(), "name_ru": input.name_ru.trim(),
                    "levels_en": en, "levels_ru": ru}),
                ),
            },
        )
        .await?;
        let row = store::competency_by_code(&mut tx, &before.code)
            .await?
            .ok_or(Error::NotFound)?;
        tx.commit().await?;
        Ok(row)
    }

    /// Takes a competency out of new cycles; at least one stays.
    pub async fn retire_competency(&self, actor: &Actor, code: &str) -> Result<()> {
        may_edit(actor)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let active = ensure_framework(&mut tx, now).await?;
        let Some(c) = active.iter().find(|c| c.code == code.trim()) else {
            return Err(Error::NotFound);
        };
        if active.len() == 1 {
            return Err(Error::invalid(
                "code",
                format!("{} is the last competency; add another first", c.code),
            ));
        }
        store::retire_competency(&mut tx, c.id).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "delete",
                entity: "competency",
                entity_id: Some(c.id),
                before: Some(json!({"code": c.code, "active": true})),
                after: Some(json!({"code": c.code, "active": false})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Weighs a competency for one position (1 when never set; 0 leaves
    /// it out of that position's means).
    pub async fn set_competency_weight(
        &self,
        actor: &Actor,
        code: &str,
        position: &str,
        weight: f64,
    ) -> Result<()> {
        may_edit(actor)?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let active = ensure_framework(&mut tx, now).await?;
        let Some(c) = active.iter().find(|c| c.code == code.trim()) else {
            return Err(Error::NotFound);
        };
        let mut problems = Vec::new();
        let position = position.trim();
        if position.is_empty() || position.chars().count() > 200 {
            problems.push(FieldProblem::new(
                "position",
                "name the position (as on the people's records)",
            ));
        }
        if !weight.is_finite() || !(0.0..=MAX_WEIGHT).contains(&weight) {
            problems.push(FieldProblem::new(
                "weight",
                format!("give a weight from 0 to {MAX_WEIGHT}"),
            ));
        }
        if !problems.is_empty() {
            return Err(Error::Invalid(problems));
        }
        store::set_competency_weight(&mut tx, c.id, position, weight).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "update",
                entity: "competency_weight",
                entity_id: Some(c.id),
                before: None,
                after: Some(json!({"code": c.code, "position": position, "weight": weight})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Per-position weights: competency code → position → weight.
    pub async fn competency_weights(&self) -> Result<BTreeMap<String, BTreeMap<String, f64>>> {
        let mut tx = self.store.read().await?;
        let mut out: BTreeMap<String, BTreeMap<String, f64>> = BTreeMap::new();
        for (code, position, weight) in store::competency_weights(&mut tx).await? {
            out.entry(code).or_default().insert(position, weight);
        }
        Ok(out)
    }
}
