//! Signing in and out, sessions, API tokens, passwords, and who the caller
//! is ([`Actor`]) with what they may see.

use std::sync::OnceLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use mkpi_domain::{Locale, Password, Role, Scope, TeamTree};
use mkpi_store::users::UserRow;
use mkpi_store::{Tx, api_tokens, login_attempts, sessions, teams, users};
use serde_json::json;

use crate::audit::{self, Author, Change};
use crate::secrets::{constant_time_eq, hash_secret, random_hex};
use crate::{Error, Result, Services};

/// The first wait after a login's allowance of failures from one address.
const FIRST_DELAY_SECS: i64 = 30;

/// Timeouts and sign-in limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthSettings {
    /// A session unused this long ends.
    pub idle_timeout_secs: i64,
    /// A session ends this long after sign-in, however busy.
    pub absolute_timeout_secs: i64,
    /// Failed sign-ins allowed per login from one address before each next
    /// attempt waits (30 s, doubling with every further failure).
    pub max_failures_per_login: i64,
    /// Failed sign-ins allowed per client address within the window.
    pub max_failures_per_ip: i64,
    pub failure_window_secs: i64,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            idle_timeout_secs: 8 * 3600,
            absolute_timeout_secs: 7 * 24 * 3600,
            max_failures_per_login: 5,
            max_failures_per_ip: 20,
            failure_window_secs: 15 * 60,
        }
    }
}

/// How the caller proved who they are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    Session { id_hash: String, csrf_token: String },
    ApiToken { token_id: i64 },
}

/// The signed-in caller of a use case.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: i64,
    pub login: String,
    pub role: Role,
    pub employee_id: Option<i64>,
    pub employee_name: Option<String>,
    pub locale: Option<Locale>,
    pub scope: Scope,
    pub credential: Credential,
}

impl Actor {
    /// mkpi itself, for work no person asked for (alert checks): sees
    /// everything, and is never the author of a change in the audit log.
    pub(crate) fn system() -> Actor {
        Actor {
            user_id: 0,
            login: "mkpi".to_string(),
            role: Role::Admin,
            employee_id: None,
            employee_name: None,
            locale: None,
            scope: Scope::everyone(),
            credential: Credential::ApiToken { token_id: 0 },
        }
    }

    /// An operator at the command line (`mkpi report`): sees everything,
    /// as someone with the database in hand can anyway.
    pub fn operator() -> Actor {
        Actor {
            login: "operator".to_string(),
            ..Actor::system()
        }
    }

    /// A person of the organisation acting through mkpi itself (the demo
    /// giving assessments in their name): their role and what it lets
    /// them see, no user account.
    pub(crate) fn as_person(role: Role, employee_id: i64, teams: &TeamTree) -> Actor {
        Actor {
            user_id: 0,
            login: "mkpi".to_string(),
            role,
            employee_id: Some(employee_id),
            employee_name: None,
            locale: None,
            scope: Scope::new(0, role, Some(employee_id), teams),
            credential: Credential::ApiToken { token_id: 0 },
        }
    }

    pub fn author(&self) -> Author {
        Author {
            // mkpi itself (user 0) is no user of the database.
            user_id: (self.user_id > 0).then_some(self.user_id),
            label: self.login.clone(),
        }
    }

    /// The CSRF token forms must carry, for a browser session.
    pub fn csrf_token(&self) -> Option<&str> {
        match &self.credential {
            Credential::Session { csrf_token, .. } => Some(csrf_token),
            Credential::ApiToken { .. } => None,
        }
    }

    /// Whether `token` is this session's CSRF token. API tokens need none:
    /// a browser never sends them by itself.
    pub fn csrf_ok(&self, token: Option<&str>) -> bool {
        match &self.credential {
            Credential::Session { csrf_token, .. } => {
                token.is_some_and(|t| constant_time_eq(t, csrf_token))
            }
            Credential::ApiToken { .. } => true,
        }
    }
}

/// A successful sign-in: the cookie value to hand to the browser.
#[derive(Debug, Clone)]
pub struct LoginOutcome {
    pub session_cookie: String,
    pub actor: Actor,
}

/// A freshly made API token: the secret is shown once, only its hash is kept.
#[derive(Debug, Clone)]
pub struct NewApiToken {
    pub id: i64,
    pub name: String,
    pub secret: String,
}

pub fn hash_password(password: &str) -> Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| Error::Internal(format!("cannot hash password: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Hashes at once: each takes 19 MiB and a core for tens of milliseconds,
/// so a flood of sign-ins queues here instead of taking the machine.
const HASHES_AT_ONCE: usize = 2;
/// Sign-ins that may wait for a hash; past that they are refused (429).
const HASHES_QUEUED: usize = 64;
static HASHING: tokio::sync::Semaphore = tokio::sync::Semaphore::const_new(HASHES_AT_ONCE);

/// The sign-ins waiting for a hash, counted per set of services (one per
/// server): a flood on one server never refuses another's sign-ins.
#[derive(Clone, Debug, Default)]
pub(crate) struct HashQueue(std::sync::Arc<std::sync::atomic::AtomicUsize>);

/// A place in the queue for a hash, given back when dropped.
struct QueuePlace(std::sync::Arc<std::sync::atomic::AtomicUsize>);

impl HashQueue {
    /// A place, or None when the queue is full.
    fn take(&self) -> Option<QueuePlace> {
        use std::sync::atomic::Ordering;
        let before = self.0.fetch_add(1, Ordering::SeqCst);
        if before >= HASHES_QUEUED {
            self.0.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        Some(QueuePlace(self.0.clone()))
    }
}

impl Drop for QueuePlace {
    fn drop(&mut self) {
        self.0.fetch_sub(1, std::sync::atomic::Ordering::SeqCst);
    }
}

/// A stored hash that can verify a password: accounts made for a person
/// who has not set theirs yet hold [`UNSET_PASSWORD`] instead.
fn verifiable(hash: &str) -> bool {
    PasswordHash::new(hash).is_ok()
}

/// The stored "hash" of an account whose person sets the password through
/// a link: no password matches it.
pub(crate) const UNSET_PASSWORD: &str = "!unset";

/// Hashing is deliberately slow; keep it off the async workers, a few at a time.
async fn verify_password_off_thread(password: String, hash: String) -> Result<bool> {
    let _permit = HASHING
        .acquire()
        .await
        .map_err(|e| Error::Internal(format!("password check failed: {e}")))?;
    tokio::task::spawn_blocking(move || verify_password(&password, &hash))
        .await
        .map_err(|e| Error::Internal(format!("password check failed: {e}")))
}

pub(crate) async fn hash_password_off_thread(password: String) -> Result<String> {
    let _permit = HASHING
        .acquire()
        .await
        .map_err(|e| Error::Internal(format!("password hashing failed: {e}")))?;
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| Error::Internal(format!("password hashing failed: {e}")))?
}

/// A hash to verify against when the login does not exist, so that a wrong
/// login takes as long as a wrong password.
fn decoy_hash() -> &'static str {
    static DECOY: OnceLock<String> = OnceLock::new();
    DECOY.get_or_init(|| hash_password("decoy password, never valid").unwrap_or_default())
}

pub(crate) async fn actor_for(tx: &mut Tx, user: UserRow, credential: Credential) -> Result<Actor> {
    let role: Role = user
        .role
        .parse()
        .map_err(|e: mkpi_domain::role::UnknownRole| Error::Internal(e.to_string()))?;
    let tree = TeamTree::new(teams::nodes(tx).await?);
    Ok(Actor {
        scope: Scope::new(user.id, role, user.employee_id, &tree),
        user_id: user.id,
        login: user.login,
        role,
        employee_id: user.employee_id,
        employee_name: user.employee_name,
        locale: user.locale.as_deref().and_then(Locale::from_tag),
        credential,
    })
}

/// The actor an account acts as without signing in (the operator's
/// `--as`, a share link or schedule read as its creator): none for a
/// missing or deactivated account.
pub(crate) async fn acting_as(tx: &mut Tx, user: Option<UserRow>) -> Result<Option<Actor>> {
    match user {
        Some(user) if user.active => Ok(Some(
            actor_for(tx, user, Credential::ApiToken { token_id: 0 }).await?,
        )),
        _ => Ok(None),
    }
}

impl Services {
    /// The actor an active user's login acts as, for the operator's
    /// commands (`mkpi report --as LOGIN`); none for an unknown or
    /// deactivated login.
    pub async fn actor_for_login(&self, login: &str) -> Result<Option<Actor>> {
        let mut tx = self.store.read().await?;
        let user = users::find_by_login(&mut tx, login.trim()).await?;
        acting_as(&mut tx, user).await
    }

    /// Signs in with a login and password from a client address. Failures
    /// are counted per login and per address; past the limit the answer is
    /// [`Error::RateLimited`] whatever the password.
    #[tracing::instrument(skip(self, password))]
    pub async fn login(&self, login: &str, password: &str, ip: &str) -> Result<LoginOutcome> {
        let now = self.clock.now();
        let login_key = login.trim().to_ascii_lowercase();
        let mut tx = self.store.read().await?;
        self.sign_in_allowed(&mut tx, &login_key, ip, now, None)
            .await?;
        drop(tx);
        // A full queue refuses at once, before anything is written: a flood
        // waits for nothing and leaves no failures on anyone's count.
        let Some(_place) = self.hash_queue.take() else {
            tracing::warn!(login = %login_key, ip, "sign-in refused: too many waiting");
            return Err(Error::RateLimited {
                retry_after_secs: 1,
            });
        };
        // The attempt counts as a failure from now on (before any hash): a
        // burst of parallel attempts cannot all pass the limit.
        let mut tx = self.store.begin().await?;
        let attempt = login_attempts::record(&mut tx, &login_key, ip, now, false).await?;
        tx.commit().await?;
        let mut tx = self.store.read().await?;
        self.sign_in_allowed(&mut tx, &login_key, ip, now, Some(attempt))
            .await?;
        let user = users::find_by_login(&mut tx, &login_key).await?;
        drop(tx);

        // An account without a usable hash (unknown, inactive, password not
        // set yet) is checked against a decoy: every refusal takes as long.
        let hash = match &user {
            Some(u) if u.active && verifiable(&u.password_hash) => u.password_hash.clone(),
            _ => decoy_hash().to_string(),
        };
        let usable = user
            .as_ref()
            .is_some_and(|u| u.active && verifiable(&u.password_hash));
        let matches = verify_password_off_thread(password.to_string(), hash).await?;
        let Some(user) = user.filter(|_| matches && usable) else {
            tracing::info!(login = %login_key, ip, "sign-in refused");
            return Err(Error::WrongCredentials);
        };
        let mut tx = self.store.begin().await?;
        login_attempts::mark_success(&mut tx, attempt).await?;
        let outcome = self.start_session(&mut tx, user, now).await?;
        audit::record(
            &mut tx,
            now,
            &outcome.actor.author(),
            Change {
                action: "login",
                entity: "session",
                entity_id: Some(outcome.actor.user_id),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        tracing::info!(login = %login_key, "signed in");
        Ok(outcome)
    }

    /// Whether a sign-in may go on: per login *and* address, failures past
    /// the allowance make the next attempt wait, the wait doubling with each
    /// failure (30 s, 1 min, 2 min … up to the window) — so nobody can lock
    /// an account for its owner elsewhere; per address, failures past the
    /// address's allowance in the window stop it until they age out.
    /// `before` counts only the attempts recorded before this one.
    async fn sign_in_allowed(
        &self,
        tx: &mut Tx,
        login: &str,
        ip: &str,
        now: i64,
        before: Option<i64>,
    ) -> Result<()> {
        let s = &self.auth;
        let since = now - s.failure_window_secs;
        let counts = login_attempts::failures_since(tx, login, ip, since, before).await?;
        if counts.pair >= s.max_failures_per_login {
            let extra = u32::try_from(counts.pair - s.max_failures_per_login).unwrap_or(u32::MAX);
            let wait = FIRST_DELAY_SECS
                .saturating_mul(1_i64 << extra.min(20))
                .min(s.failure_window_secs);
            let last = counts.last_pair_failure.unwrap_or(now);
            if now < last + wait {
                return Err(Error::RateLimited {
                    retry_after_secs: (last + wait - now).max(1),
                });
            }
        }
        if counts.address >= s.max_failures_per_ip {
            let oldest = counts.oldest_address_failure.unwrap_or(now);
            return Err(Error::RateLimited {
                retry_after_secs: (oldest + s.failure_window_secs - now).max(1),
            });
        }
        Ok(())
    }

    async fn start_session(&self, tx: &mut Tx, user: UserRow, now: i64) -> Result<LoginOutcome> {
        let cookie = random_hex(32)?;
        let row = sessions::SessionRow {
            id_hash: hash_secret(&cookie),
            user_id: user.id,
            csrf_token: random_hex(32)?,
            created_at: now,
            last_seen_at: now,
        };
        sessions::insert(tx, &row).await?;
        let credential = Credential::Session {
            id_hash: row.id_hash,
            csrf_token: row.csrf_token,
        };
        Ok(LoginOutcome {
            session_cookie: cookie,
            actor: actor_for(tx, user, credential).await?,
        })
    }

    /// Writes a session's or token's last-seen time: one request at a time
    /// per key, the others go on without waiting, and a write that cannot
    /// get the lock (a long import holds it) is skipped — a request is never
    /// refused for it. Measured with `bench/load.sh`: without this, every
    /// request of a session queued behind one import for seconds.
    async fn touch(&self, key: String, write: impl Future<Output = Result<()>>) {
        if !self.touching.claim(&key) {
            return;
        }
        if let Err(e) = write.await {
            tracing::debug!(error = %e, "last-seen time not written");
        }
        self.touching.release(&key);
    }

    /// The caller behind a session cookie, or `None` when the session does
    /// not exist, has timed out, or its user was deactivated.
    pub async fn actor_from_session(&self, cookie: &str) -> Result<Option<Actor>> {
        let now = self.clock.now();
        let id_hash = hash_secret(cookie);
        let mut tx = self.store.read().await?;
        let Some(session) = sessions::get(&mut tx, &id_hash).await? else {
            return Ok(None);
        };
        let idle = now - session.last_seen_at > self.auth.idle_timeout_secs;
        let too_old = now - session.created_at > self.auth.absolute_timeout_secs;
        let user = users::get(&mut tx, session.user_id).await?;
        if idle || too_old || !user.active || user.password_changed_at > session.created_at {
            drop(tx);
            let mut tx = self.store.begin().await?;
            sessions::delete(&mut tx, &id_hash).await?;
            tx.commit().await?;
            return Ok(None);
        }
        let last_seen_at = session.last_seen_at;
        let actor = actor_for(
            &mut tx,
            user,
            Credential::Session {
                id_hash: id_hash.clone(),
                csrf_token: session.csrf_token,
            },
        )
        .await?;
        drop(tx);
        // A write on every request would queue every reader behind the
        // SQLite write lock; a minute's precision is plenty for an idle
        // timeout of hours.
        if now - last_seen_at >= 60 {
            self.touch(format!("session:{id_hash}"), async {
                let mut tx = self.store.begin().await?;
                sessions::touch(&mut tx, &id_hash, now).await?;
                tx.commit().await?;
                Ok(())
            })
            .await;
        }
        Ok(Some(actor))
    }

    /// The caller behind an API token, or `None` for an unknown or revoked
    /// token or a deactivated user.
    pub async fn actor_from_api_token(&self, secret: &str) -> Result<Option<Actor>> {
        let now = self.clock.now();
        let mut tx = self.store.read().await?;
        let Some(token) = api_tokens::find_live(&mut tx, &hash_secret(secret)).await? else {
            return Ok(None);
        };
        let user = users::get(&mut tx, token.user_id).await?;
        if !user.active {
            return Ok(None);
        }
        let actor = actor_for(&mut tx, user, Credential::ApiToken { token_id: token.id }).await?;
        drop(tx);
        if token.last_used_at.is_none_or(|t| now - t >= 60) {
            self.touch(format!("token:{}", token.id), async {
                let mut tx = self.store.begin().await?;
                api_tokens::touch(&mut tx, token.id, now).await?;
                tx.commit().await?;
                Ok(())
            })
            .await;
        }
        Ok(Some(actor))
    }

    /// Ends the caller's session (an API token stays valid until revoked).
    pub async fn logout(&self, actor: &Actor) -> Result<()> {
        if let Credential::Session { id_hash, .. } = &actor.credential {
            let mut tx = self.store.begin().await?;
            sessions::delete(&mut tx, id_hash).await?;
            audit::record(
                &mut tx,
                self.clock.now(),
                &actor.author(),
                Change {
                    action: "logout",
                    entity: "session",
                    entity_id: Some(actor.user_id),
                    before: None,
                    after: None,
                },
            )
            .await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Changes one's own password after proving the current one. Every
    /// session of the user ends; a new one is returned for the caller.
    pub async fn change_password(
        &self,
        actor: &Actor,
        current: &str,
        new: &str,
    ) -> Result<LoginOutcome> {
        let now = self.clock.now();
        let new =
            Password::parse(new).map_err(|e| Error::invalid("new_password", e.to_string()))?;
        let mut tx = self.store.read().await?;
        let user = users::get(&mut tx, actor.user_id).await?;
        tx.commit().await?;
        if !verify_password_off_thread(current.to_string(), user.password_hash.clone()).await? {
            return Err(Error::invalid(
                "current_password",
                "the current password is wrong",
            ));
        }
        let hash = hash_password_off_thread(new.expose().to_string()).await?;
        let mut tx = self.store.begin().await?;
        users::set_password_hash(&mut tx, user.id, &hash, now).await?;
        sessions::delete_for_user(&mut tx, user.id).await?;
        // API tokens made under the old password stop too.
        api_tokens::revoke_all(&mut tx, user.id, now).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "change_password",
                entity: "user",
                entity_id: Some(user.id),
                before: None,
                after: None,
            },
        )
        .await?;
        let user = users::get(&mut tx, user.id).await?;
        let outcome = self.start_session(&mut tx, user, now).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    /// Sets the caller's interface language (`None`: follow the browser).
    pub async fn set_locale(&self, actor: &Actor, locale: Option<Locale>) -> Result<()> {
        let mut tx = self.store.begin().await?;
        users::set_locale(&mut tx, actor.user_id, locale.map(Locale::as_str)).await?;
        audit::record(
            &mut tx,
            self.clock.now(),
            &actor.author(),
            Change {
                action: "set_locale",
                entity: "user",
                entity_id: Some(actor.user_id),
                before: Some(json!({"locale": actor.locale.map(Locale::as_str)})),
                after: Some(json!({"locale": locale.map(Locale::as_str)})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Makes an API token acting as the caller. The secret is returned once.
    pub async fn create_api_token(&self, actor: &Actor, name: &str) -> Result<NewApiToken> {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 100 {
            return Err(Error::invalid(
                "name",
                "give the token a name of 1–100 characters",
            ));
        }
        let now = self.clock.now();
        let secret = format!("mkpi_{}", random_hex(24)?);
        let prefix = secret[..9].to_string();
        let mut tx = self.store.begin().await?;
        let id = api_tokens::insert(
            &mut tx,
            actor.user_id,
            name,
            &prefix,
            &hash_secret(&secret),
            now,
        )
        .await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "create",
                entity: "api_token",
                entity_id: Some(id),
                before: None,
                after: Some(json!({"name": name, "prefix": prefix, "user_id": actor.user_id})),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(NewApiToken {
            id,
            name: name.to_string(),
            secret,
        })
    }

    pub async fn list_api_tokens(&self, actor: &Actor) -> Result<Vec<api_tokens::ApiTokenRow>> {
        let mut tx = self.store.read().await?;
        Ok(api_tokens::list_for_user(&mut tx, actor.user_id).await?)
    }

    /// Revokes one of the caller's own tokens.
    pub async fn revoke_api_token(&self, actor: &Actor, id: i64) -> Result<()> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        api_tokens::revoke(&mut tx, actor.user_id, id, now).await?;
        audit::record(
            &mut tx,
            now,
            &actor.author(),
            Change {
                action: "revoke",
                entity: "api_token",
                entity_id: Some(id),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Removes sessions and sign-in attempts past every window.
    pub async fn sweep_expired(&self) -> Result<()> {
        let now = self.clock.now();
        let mut tx = self.store.begin().await?;
        sessions::delete_expired(
            &mut tx,
            now - self.auth.idle_timeout_secs,
            now - self.auth.absolute_timeout_secs,
        )
        .await?;
        login_attempts::delete_before(&mut tx, now - 24 * 3600).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Keys of the last-seen writes in flight.
#[derive(Clone, Debug, Default)]
pub(crate) struct Touching(std::sync::Arc<std::sync::Mutex<std::collections::HashSet<String>>>);

impl Touching {
    fn claim(&self, key: &str) -> bool {
        self.0
            .lock()
            .map(|mut keys| keys.insert(key.to_string()))
            .unwrap_or(false)
    }

    fn release(&self, key: &str) {
        if let Ok(mut keys) = self.0.lock() {
            keys.remove(key);
        }
    }
}
