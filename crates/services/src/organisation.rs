//! The organisation as the caller may see it: departments, teams, people.

pub use mkpi_store::employees::EmployeeRow;
pub use mkpi_store::teams::TeamRow;
use mkpi_store::{departments, employees, teams};

use crate::{Actor, Result, Services};

/// What the home page shows: the department and the part of it the caller sees.
#[derive(Debug, Clone)]
pub struct OrgOverview {
    pub department: Option<String>,
    pub teams: Vec<TeamRow>,
    pub employees: Vec<EmployeeRow>,
}

impl Services {
    pub async fn list_employees(&self, actor: &Actor) -> Result<Vec<EmployeeRow>> {
        let mut tx = self.store.read().await?;
        Ok(employees::list(&mut tx, &actor.scope).await?)
    }

    /// One employee; [`crate::Error::NotFound`] also when outside the
    /// caller's scope, so that a probe learns nothing.
    pub async fn get_employee(&self, actor: &Actor, id: i64) -> Result<EmployeeRow> {
        let mut tx = self.store.read().await?;
        Ok(employees::get(&mut tx, &actor.scope, id).await?)
    }

    pub async fn list_teams(&self, actor: &Actor) -> Result<Vec<TeamRow>> {
        let mut tx = self.store.read().await?;
        Ok(teams::list(&mut tx, &actor.scope).await?)
    }

    pub async fn org_overview(&self, actor: &Actor) -> Result<OrgOverview> {
        let mut tx = self.store.read().await?;
        let department = departments::list(&mut tx)
            .await?
            .into_iter()
            .next()
            .map(|d| d.name);
        let teams = teams::list(&mut tx, &actor.scope).await?;
        let employees = employees::list(&mut tx, &actor.scope).await?;
        Ok(OrgOverview {
            department,
            teams,
            employees,
        })
    }
}
