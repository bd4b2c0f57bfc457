//! Presets by name: the built-in ones and the mappings users save (the
//! same TOML, checked the same way). A saved mapping may not take a
//! built-in preset's name.

use mkpi_ingest::Preset;
use mkpi_ingest::preset::PresetError;
use mkpi_store::mappings;
use serde_json::json;

use crate::audit::{self, Change};
use crate::users::Principal;
use crate::{Error, Result, Services};

/// A preset as lists show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PresetInfo {
    pub name: String,
    pub title: String,
    pub fact: String,
    /// Built into mkpi (false: a mapping a user saved).
    pub builtin: bool,
    pub toml: String,
}

fn info(p: &Preset, builtin: bool) -> PresetInfo {
    PresetInfo {
        name: p.name.clone(),
        title: p.title.clone(),
        fact: p.fact.name().to_string(),
        builtin,
        toml: p.source.clone(),
    }
}

fn invalid(e: PresetError) -> Error {
    Error::invalid("mapping", e.to_string())
}

impl Services {
    /// Every preset: the built-in ones, then the saved mappings.
    pub async fn presets(&self, by: Principal<'_>) -> Result<Vec<PresetInfo>> {
        by.require_admin()?;
        let mut all: Vec<PresetInfo> = Preset::builtin().iter().map(|p| info(p, true)).collect();
        let mut tx = self.store.read().await?;
        for row in mappings::list(&mut tx).await? {
            // A stored mapping was checked when saved; one that no longer
            // parses (a field renamed since) is listed with its reason.
            match Preset::parse(&row.toml) {
                Ok(p) => all.push(info(&p, false)),
                Err(e) => all.push(PresetInfo {
                    name: row.name,
                    title: format!("(unusable: {e})"),
                    fact: row.fact,
                    builtin: false,
                    toml: row.toml,
                }),
            }
        }
        Ok(all)
    }

    /// A preset by name: built-in first, then the saved mappings.
    pub async fn preset(&self, by: Principal<'_>, name: &str) -> Result<Preset> {
        by.require_admin()?;
        if let Ok(p) = Preset::find(name) {
            return Ok(p);
        }
        let mut tx = self.store.read().await?;
        match mappings::find(&mut tx, name).await? {
            Some(row) => Preset::parse(&row.toml).map_err(invalid),
            None => {
                let mut known: Vec<String> =
                    Preset::builtin().into_iter().map(|p| p.name).collect();
                known.extend(mappings::list(&mut tx).await?.into_iter().map(|m| m.name));
                Err(Error::invalid(
                    "preset",
                    format!("unknown preset '{name}': use one of {}", known.join(", ")),
                ))
            }
        }
    }

    /// Checks a mapping and saves it under its name (replacing a saved
    /// mapping of that name).
    pub async fn save_mapping(&self, by: Principal<'_>, toml: &str) -> Result<PresetInfo> {
        let author = by.require_admin()?;
        if toml.len() > 64 * 1024 {
            return Err(Error::invalid("mapping", "is longer than 64 KiB"));
        }
        let preset = Preset::parse(toml).map_err(invalid)?;
        if Preset::find(&preset.name).is_ok() {
            return Err(Error::invalid(
                "mapping",
                format!(
                    "'{}' is the name of a built-in preset: choose another name",
                    preset.name
                ),
            ));
        }
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let (after, before) = mappings::save(
            &mut tx,
            &preset.name,
            preset.fact.name(),
            toml,
            author.user_id,
            now,
        )
        .await?;
        audit::record(
            &mut tx,
            now,
            &author,
            Change {
                action: if before.is_some() { "update" } else { "create" },
                entity: "mapping",
                entity_id: Some(after.id),
                before: before.map(|b| json!({"name": b.name, "fact": b.fact, "toml": b.toml})),
                after: Some(json!({"name": after.name, "fact": after.fact, "toml": after.toml})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(info(&preset, false))
    }

    pub async fn delete_mapping(&self, by: Principal<'_>, name: &str) -> Result<()> {
        let author = by.require_admin()?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let Some(before) = mappings::delete(&mut tx, name).await? else {
            return Err(Error::NotFound);
        };
        audit::record(
            &mut tx,
            now,
            &author,
            Change {
                action: "delete",
                entity: "mapping",
                entity_id: Some(before.id),
                before: Some(
                    json!({"name": before.name, "fact": before.fact, "toml": before.toml}),
                ),
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
