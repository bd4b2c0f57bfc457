//! Managing accounts: create, list, deactivate, reset and set passwords.
//! Open to admins in the product and to operators at the CLI.

use mkpi_domain::{Email, Locale, Login, Password, Role};
pub use mkpi_store::audit_log::AuditRow;
use mkpi_store::users::NewUser;
pub use mkpi_store::users::UserRow;
use mkpi_store::{employees, sessions, users};
use serde_json::json;

use crate::audit::{self, Author, Change};
use crate::auth::{Actor, hash_password_off_thread};
use crate::secrets::random_hex;
use crate::{Error, FieldProblem, Result, Services};

/// Who asks for an account change.
#[derive(Debug, Clone, Copy)]
pub enum Principal<'a> {
    /// A signed-in user; must be an admin.
    User(&'a Actor),
    /// Someone at the CLI with direct access to the database.
    Operator,
    /// mkpi itself (the demo generator), named in the audit log.
    System(&'static str),
}

impl Principal<'_> {
    /// Admins (and mkpi's own operators) only: who they are for the audit
    /// log, or `Forbidden`.
    pub fn require_admin(self) -> Result<Author> {
        match self {
            Principal::User(actor) if actor.role.manages_users() => Ok(actor.author()),
            Principal::User(_) => Err(Error::Forbidden),
            Principal::Operator => Ok(Author::system("cli")),
            Principal::System(label) => Ok(Author::system(label)),
        }
    }
}

/// A new account as entered.
#[derive(Debug, Clone, Default)]
pub struct NewUserInput {
    pub login: String,
    pub password: String,
    pub role: String,
    /// The e-mail of the employee this account belongs to, if any.
    pub employee_email: Option<String>,
    pub locale: Option<String>,
}

fn parse_login(raw: &str, problems: &mut Vec<FieldProblem>) -> Option<Login> {
    Login::parse(raw)
        .map_err(|e| problems.push(FieldProblem::new("login", e.to_string())))
        .ok()
}

fn user_json(u: &UserRow) -> serde_json::Value {
    json!({
        "login": u.login,
        "role": u.role,
        "employee_id": u.employee_id,
        "locale": u.locale,
        "active": u.active,
    })
}

impl Services {
    pub async fn list_users(&self, by: Principal<'_>) -> Result<Vec<UserRow>> {
        by.require_admin()?;
        let mut tx = self.store.read().await?;
        Ok(users::list(&mut tx).await?)
    }

    /// Creates an account; every problem with the input is reported at once.
    #[tracing::instrument(skip(self, input), fields(login = %input.login))]
    pub async fn create_user(&self, by: Principal<'_>, input: NewUserInput) -> Result<UserRow> {
        let author = by.require_admin()?;
        let now = self.clock.now();
        let mut problems = Vec::new();
        let login = parse_login(&input.login, &mut problems);
        if let Err(e) = Password::parse(&input.password) {
            problems.push(FieldProblem::new("password", e.to_string()));
        }
        let role = input
            .role
            .parse::<Role>()
            .map_err(|e| problems.push(FieldProblem::new("role", e.to_string())))
            .ok();
        let locale = match input
            .locale
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(tag) => match Locale::from_tag(tag) {
                Some(l) => Some(l),
                None => {
                    problems.push(FieldProblem::new(
                        "locale",
                        format!("unknown language '{tag}': use ru or en"),
                    ));
                    None
                }
            },
        };
        let email = match input
            .employee_email
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(raw) => Email::parse(raw)
                .map_err(|e| problems.push(FieldProblem::new("employee", e.to_string())))
                .ok(),
        };

        let mut tx = self.store.read().await?;
        let employee_id = match &email {
            None => None,
            Some(email) => match employees::find_by_email(&mut tx, email.as_str()).await? {
                Some(e) => Some(e.id),
                None => {
                    problems.push(FieldProblem::new(
                        "employee",
                        format!("no employee has the e-mail {email}"),
                    ));
                    None
                }
            },
        };
        if let (Some(login), Some(role)) = (&login, role) {
            if users::find_by_login(&mut tx, login.as_str())
                .await?
                .is_some()
            {
                problems.push(FieldProblem::new(
                    "login",
                    format!("the login '{login}' is taken"),
                ));
            }
            if matches!(role, Role::Manager | Role::Employee)
                && employee_id.is_none()
                && email.is_none()
            {
                problems.push(FieldProblem::new(
                    "employee",
                    format!("a {role} account must be linked to an employee (give their e-mail)"),
                ));
            }
        }
        let (Some(login), Some(role), true) = (login, role, problems.is_empty()) else {
            return Err(Error::Invalid(problems));
        };
        drop(tx);

        let hash = hash_password_off_thread(input.password).await?;
        let mut tx = self.store.begin().await?;
        let id = users::insert(
            &mut tx,
            &NewUser {
                login: login.as_str(),
                password_hash: &hash,
                role: role.as_str(),
                employee_id,
                locale: locale.map(Locale::as_str),
            },
            now,
        )
        .await
        .map_err(|e| match e {
            mkpi_store::StoreError::Conflict { .. } => Error::invalid(
                "employee",
                "this login is taken or the employee already has an account",
            ),
            other => other.into(),
        })?;
        let user = users::get(&mut tx, id).await?;
        audit::record(
            &mut tx,
            now,
            &author,
            Change {
                action: "create",
                entity: "user",
                entity_id: Some(id),
                before: None,
                after: Some(user_json(&user)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// Deactivates an account and ends its sessions. Admins cannot lock
    /// themselves out this way.
    pub async fn deactivate_user(&self, by: Principal<'_>, user_id: i64) -> Result<UserRow> {
        let author = by.require_admin()?;
        if author.user_id == Some(user_id) {
            return Err(Error::invalid(
                "user",
                "you cannot deactivate your own account",
            ));
        }
        self.set_user_active(&author, user_id, false).await
    }

    pub async fn activate_user(&self, by: Principal<'_>, user_id: i64) -> Result<UserRow> {
        let author = by.require_admin()?;
        self.set_user_active(&author, user_id, true).await
    }

    async fn set_user_active(
        &self,
        author: &Author,
        user_id: i64,
        active: bool,
    ) -> Result<UserRow> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let before = users::get(&mut tx, user_id).await?;
        users::set_active(&mut tx, user_id, active).await?;
        if !active {
            sessions::delete_for_user(&mut tx, user_id).await?;
        }
        let after = users::get(&mut tx, user_id).await?;
        audit::record(
            &mut tx,
            now,
            author,
            Change {
                action: if active { "activate" } else { "deactivate" },
                entity: "user",
                entity_id: Some(user_id),
                before: Some(user_json(&before)),
                after: Some(user_json(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Gives an account a new random password (returned once) and ends its
    /// sessions.
    pub async fn reset_password(
        &self,
        by: Principal<'_>,
        user_id: i64,
    ) -> Result<(UserRow, String)> {
        let author = by.require_admin()?;
        let mut tx = self.store.read().await?;
        let user = users::get(&mut tx, user_id).await?;
        drop(tx);
        let temporary = random_hex(8)?;
        self.store_password(&author, user_id, temporary.clone(), "reset_password")
            .await?;
        Ok((user, temporary))
    }

    /// Sets an account's password by login (the CLI's `user passwd`).
    pub async fn set_password(&self, by: Principal<'_>, login: &str, password: &str) -> Result<()> {
        let author = by.require_admin()?;
        Password::parse(password).map_err(|e| Error::invalid("password", e.to_string()))?;
        let mut tx = self.store.read().await?;
        let user = users::find_by_login(&mut tx, &login.trim().to_ascii_lowercase())
            .await?
            .ok_or_else(|| Error::invalid("login", format!("no user has the login '{login}'")))?;
        drop(tx);
        self.store_password(&author, user.id, password.to_string(), "set_password")
            .await
    }

    pub async fn find_user(&self, by: Principal<'_>, login: &str) -> Result<UserRow> {
        by.require_admin()?;
        let mut tx = self.store.read().await?;
        users::find_by_login(&mut tx, &login.trim().to_ascii_lowercase())
            .await?
            .ok_or_else(|| Error::invalid("login", format!("no user has the login '{login}'")))
    }

    async fn store_password(
        &self,
        author: &Author,
        user_id: i64,
        password: String,
        action: &str,
    ) -> Result<()> {
        let now = self.clock.now();
        let hash = hash_password_off_thread(password).await?;
        let mut tx = self.store.begin().await?;
        users::set_password_hash(&mut tx, user_id, &hash, now).await?;
        // A new password ends what the old one opened: sessions and API tokens.
        sessions::delete_for_user(&mut tx, user_id).await?;
        mkpi_store::api_tokens::revoke_all(&mut tx, user_id, now).await?;
        audit::record(
            &mut tx,
            now,
            author,
            Change {
                action,
                entity: "user",
                entity_id: Some(user_id),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The audit log, newest first (admins and the head).
    pub async fn audit_log(
        &self,
        actor: &Actor,
        entity: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<AuditRow>> {
        let (rows, _) = self
            .search_audit_log(actor, entity, "", limit.clamp(1, 500), offset)
            .await?;
        Ok(rows)
    }

    /// A page of the audit log searched by author, action or kind of thing,
    /// with the count of all entries found (admins and the head).
    pub async fn search_audit_log(
        &self,
        actor: &Actor,
        entity: Option<&str>,
        q: &str,
        limit: i64,
        offset: i64,
    ) -> Result<(Vec<AuditRow>, i64)> {
        if !matches!(actor.role, Role::Admin | Role::Head) {
            return Err(Error::Forbidden);
        }
        let mut tx = self.store.read().await?;
        Ok(
            mkpi_store::audit_log::search(
                &mut tx,
                entity,
                q,
                limit.clamp(1, 10_000),
                offset.max(0),
            )
            .await?,
        )
    }
}

/// How long a set-password link works.
const PASSWORD_LINK_DAYS: i64 = 7;

/// A person's own account, made by an admin: the person sets the password
/// through a one-time link, mailed to them when mail is set up and
/// otherwise shown once to the admin.
#[derive(Debug, Clone, Default)]
pub struct InviteInput {
    pub login: String,
    pub role: String,
    pub employee_id: Option<i64>,
    pub locale: Option<String>,
}

/// A set-password link made for an account.
#[derive(Debug, Clone)]
pub struct PasswordLink {
    pub user: UserRow,
    /// `/password/{token}`; `None` when it was mailed (it is then shown to nobody).
    pub path: Option<String>,
    pub mailed_to: Option<String>,
    pub expires_at: i64,
}

pub fn password_link_path(token: &str) -> String {
    format!("/password/{token}")
}

fn password_mail(locale: Locale, name: &str, login: &str, url: &str) -> (String, String) {
    match locale {
        Locale::Ru => (
            "Ваш доступ к mkpi".to_string(),
            format!(
                "Здравствуйте, {name}!\n\nДля вас создан доступ к mkpi, логин: {login}.\n\
                 Задайте пароль по ссылке (она действует {PASSWORD_LINK_DAYS} дней и открывается один раз):\n\n{url}\n"
            ),
        ),
        Locale::En => (
            "Your mkpi account".to_string(),
            format!(
                "Hello {name},\n\nAn mkpi account was made for you, login: {login}.\n\
                 Set your password through this link (it works for {PASSWORD_LINK_DAYS} days, once):\n\n{url}\n"
            ),
        ),
    }
}

impl Services {
    /// Creates the account of an employee with a role and no usable
    /// password, and a link for the person to set one.
    pub async fn invite_user(&self, by: Principal<'_>, input: InviteInput) -> Result<PasswordLink> {
        let author = by.require_admin()?;
        let now = self.clock.now();
        let mut problems = Vec::new();
        let login = parse_login(&input.login, &mut problems);
        let role = input
            .role
            .parse::<Role>()
            .map_err(|e| problems.push(FieldProblem::new("role", e.to_string())))
            .ok();
        let locale = match input
            .locale
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(tag) => {
                let l = Locale::from_tag(tag);
                if l.is_none() {
                    problems.push(FieldProblem::new(
                        "locale",
                        format!("unknown language '{tag}': use ru or en"),
                    ));
                }
                l
            }
        };
        let mut tx = self.store.read().await?;
        let employee = match input.employee_id {
            None => {
                problems.push(FieldProblem::new(
                    "employee_id",
                    "name the employee whose account this is",
                ));
                None
            }
            Some(id) => match employees::get_any(&mut tx, id).await {
                Ok(e) if !e.active => {
                    problems.push(FieldProblem::new(
                        "employee_id",
                        format!("{} has left", e.name),
                    ));
                    None
                }
                Ok(e) => {
                    if users::of_employee(&mut tx, id).await?.is_some() {
                        problems.push(FieldProblem::new(
                            "employee_id",
                            format!("{} has an account already", e.name),
                        ));
                    }
                    Some(e)
                }
                Err(mkpi_store::StoreError::NotFound) => {
                    problems.push(FieldProblem::new(
                        "employee_id",
                        format!("there is no employee {id}"),
                    ));
                    None
                }
                Err(e) => return Err(e.into()),
            },
        };
        if let Some(login) = &login
            && users::find_by_login(&mut tx, login.as_str())
                .await?
                .is_some()
        {
            problems.push(FieldProblem::new(
                "login",
                format!("the login '{login}' is taken"),
            ));
        }
        drop(tx);
        let (Some(login), Some(role), Some(employee), true) =
            (login, role, employee, problems.is_empty())
        else {
            return Err(Error::Invalid(problems));
        };
        // No password until the person sets their own through the link.
        let hash = crate::auth::UNSET_PASSWORD.to_string();
        let mut tx = self.store.begin().await?;
        let id = users::insert(
            &mut tx,
            &NewUser {
                login: login.as_str(),
                password_hash: &hash,
                role: role.as_str(),
                employee_id: Some(employee.id),
                locale: locale.map(Locale::as_str),
            },
            now,
        )
        .await
        .map_err(|e| match e {
            mkpi_store::StoreError::Conflict { .. } => Error::invalid(
                "login",
                "this login is taken or the employee already has an account",
            ),
            other => other.into(),
        })?;
        let user = users::get(&mut tx, id).await?;
        audit::record(
            &mut tx,
            now,
            &author,
            Change {
                action: "create",
                entity: "user",
                entity_id: Some(id),
                before: None,
                after: Some(user_json(&user)),
            },
        )
        .await?;
        let link = self
            .make_password_link(&mut tx, &author, &user, &employee, locale, now)
            .await?;
        tx.commit().await?;
        Ok(link)
    }

    /// A new set-password link for an account of an employee (the old ones
    /// stop working); its sessions and tokens end.
    pub async fn password_link(&self, by: Principal<'_>, user_id: i64) -> Result<PasswordLink> {
        let author = by.require_admin()?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let user = users::get(&mut tx, user_id).await?;
        let Some(employee_id) = user.employee_id else {
            return Err(Error::invalid(
                "user",
                format!(
                    "'{}' belongs to no employee, so there is no address for a link: reset the password instead",
                    user.login
                ),
            ));
        };
        let employee = employees::get_any(&mut tx, employee_id).await?;
        sessions::delete_for_user(&mut tx, user_id).await?;
        mkpi_store::api_tokens::revoke_all(&mut tx, user_id, now).await?;
        let locale = user.locale.as_deref().and_then(Locale::from_tag);
        let link = self
            .make_password_link(&mut tx, &author, &user, &employee, locale, now)
            .await?;
        tx.commit().await?;
        Ok(link)
    }

    async fn make_password_link(
        &self,
        tx: &mut mkpi_store::Tx,
        author: &Author,
        user: &UserRow,
        employee: &employees::EmployeeRow,
        locale: Option<Locale>,
        now: i64,
    ) -> Result<PasswordLink> {
        let token = random_hex(24)?;
        let expires_at = now + PASSWORD_LINK_DAYS * 86_400;
        mkpi_store::password_links::insert(
            tx,
            user.id,
            &crate::secrets::hash_secret(&token),
            now,
            expires_at,
        )
        .await?;
        let path = password_link_path(&token);
        let mailed_to = match &self.mailer {
            Some(m) => {
                let url = format!("{}{path}", m.public_url());
                let (subject, body) = password_mail(
                    locale.unwrap_or(Locale::Ru),
                    &employee.name,
                    &user.login,
                    &url,
                );
                mkpi_store::outbox::enqueue(tx, &employee.email, &subject, &body, now).await?;
                Some(employee.email.clone())
            }
            None => None,
        };
        audit::record(
            tx,
            now,
            author,
            Change {
                action: "password_link",
                entity: "user",
                entity_id: Some(user.id),
                before: None,
                // The token never enters the log.
                after: Some(json!({"mailed": mailed_to.is_some(), "expires_at": expires_at})),
            },
        )
        .await?;
        Ok(PasswordLink {
            user: user.clone(),
            path: mailed_to.is_none().then_some(path),
            mailed_to,
            expires_at,
        })
    }

    /// The login a live set-password link is for, or why it does not open.
    pub async fn password_link_login(&self, token: &str) -> Result<String> {
        let mut tx = self.store.read().await?;
        let (_, user_id) = live_link(&mut tx, token, self.clock.now()).await?;
        Ok(users::get(&mut tx, user_id).await?.login)
    }

    /// Sets the password through a one-time link, spending it; the account's
    /// sessions end. Returns the login.
    pub async fn set_password_by_link(&self, token: &str, password: &str) -> Result<String> {
        Password::parse(password).map_err(|e| Error::invalid("password", e.to_string()))?;
        let now = self.clock.now();
        let mut tx = self.store.read().await?;
        live_link(&mut tx, token, now).await?;
        drop(tx);
        let hash = hash_password_off_thread(password.to_string()).await?;
        let mut tx = self.store.begin().await?;
        let (link_id, user_id) = live_link(&mut tx, token, now).await?;
        if !mkpi_store::password_links::spend(&mut tx, link_id, now).await? {
            return Err(Error::Gone("this link has been used already".into()));
        }
        users::set_password_hash(&mut tx, user_id, &hash, now).await?;
        sessions::delete_for_user(&mut tx, user_id).await?;
        mkpi_store::api_tokens::revoke_all(&mut tx, user_id, now).await?;
        let user = users::get(&mut tx, user_id).await?;
        audit::record(
            &mut tx,
            now,
            &Author {
                user_id: Some(user_id),
                label: user.login.clone(),
            },
            Change {
                action: "set_password",
                entity: "user",
                entity_id: Some(user_id),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(user.login)
    }

    /// Changes an account's role. Admins cannot change their own.
    pub async fn set_user_role(
        &self,
        by: Principal<'_>,
        user_id: i64,
        role: &str,
    ) -> Result<UserRow> {
        let author = by.require_admin()?;
        if author.user_id == Some(user_id) {
            return Err(Error::invalid("role", "you cannot change your own role"));
        }
        let role: Role = role
            .parse()
            .map_err(|e: mkpi_domain::role::UnknownRole| Error::invalid("role", e.to_string()))?;
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        let before = users::get(&mut tx, user_id).await?;
        if matches!(role, Role::Manager | Role::Employee) && before.employee_id.is_none() {
            return Err(Error::invalid(
                "role",
                format!("a {role} account must be linked to an employee"),
            ));
        }
        users::set_role(&mut tx, user_id, role.as_str()).await?;
        // What the old role could see ends with its sessions.
        sessions::delete_for_user(&mut tx, user_id).await?;
        let after = users::get(&mut tx, user_id).await?;
        audit::record(
            &mut tx,
            now,
            &author,
            Change {
                action: "set_role",
                entity: "user",
                entity_id: Some(user_id),
                before: Some(user_json(&before)),
                after: Some(user_json(&after)),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}

/// The link row and account of a live token; Gone for a spent or expired
/// one, NotFound for one never given.
async fn live_link(tx: &mut mkpi_store::Tx, token: &str, now: i64) -> Result<(i64, i64)> {
    let token = token.trim();
    if token.len() != 48 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::NotFound);
    }
    match mkpi_store::password_links::find(tx, &crate::secrets::hash_secret(token)).await? {
        None => Err(Error::NotFound),
        Some((id, user_id, false, expires_at)) if expires_at > now => Ok((id, user_id)),
        Some(_) => Err(Error::Gone(
            "this link has expired or been used: ask your admin for a new one".into(),
        )),
    }
}
