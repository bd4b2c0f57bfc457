//! `mkpi user …`: accounts from the command line, for operators with access
//! to the database (the first admin of a fresh installation, a lost password).

use std::io::BufRead;

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use mkpi_services::users::{NewUserInput, Principal};

use super::{open_store, service_error};
use crate::DbArgs;
use crate::config::FileConfig;

#[derive(Subcommand)]
pub enum UserCommand {
    /// Create an account.
    Add {
        #[arg(long)]
        login: String,
        /// admin, head, manager, employee or viewer.
        #[arg(long)]
        role: String,
        /// E-mail of the employee the account belongs to (required for manager and employee).
        #[arg(long)]
        employee: Option<String>,
        /// Interface language: ru or en (default: the browser's).
        #[arg(long)]
        locale: Option<String>,
        /// Read the password from the first line of standard input.
        #[arg(long, required = true)]
        password_stdin: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// List accounts.
    List {
        #[command(flatten)]
        db: DbArgs,
    },
    /// Set an account's password (read from standard input).
    Passwd {
        #[arg(long)]
        login: String,
        #[arg(long, required = true)]
        password_stdin: bool,
        #[command(flatten)]
        db: DbArgs,
    },
    /// Deactivate an account and end its sessions.
    Deactivate {
        #[arg(long)]
        login: String,
        #[command(flatten)]
        db: DbArgs,
    },
}

#[derive(clap::Args)]
pub struct InitArgs {
    /// The company's name.
    #[arg(long)]
    company: String,
    /// The marketing department's name (the company's when left out).
    #[arg(long, default_value = "")]
    department: String,
    /// Base currency: an ISO 4217 code.
    #[arg(long, default_value = "RUB")]
    currency: String,
    /// IANA time zone.
    #[arg(long, default_value = "Europe/Moscow")]
    time_zone: String,
    /// First month of the fiscal year, 1–12.
    #[arg(long, default_value = "1")]
    fiscal_year_start_month: String,
    /// Default language: ru or en.
    #[arg(long, default_value = "ru")]
    locale: String,
    /// The first admin's login.
    #[arg(long)]
    admin: String,
    /// Read the admin's password from the first line of standard input.
    #[arg(long, required = true)]
    password_stdin: bool,
    #[command(flatten)]
    db: DbArgs,
}

/// `mkpi init`: the first run without a browser; refused once any account exists.
pub async fn init(args: InitArgs, file: &FileConfig) -> Result<()> {
    let password = read_password()?;
    let s = services(open_store(&args.db, file).await?);
    s.setup(mkpi_services::organisation::SetupInput {
        company: mkpi_services::organisation::CompanyInput {
            name: args.company.clone(),
            currency: args.currency,
            time_zone: args.time_zone,
            fiscal_year_start_month: args.fiscal_year_start_month,
            locale: args.locale,
        },
        department: args.department,
        admin_login: args.admin.clone(),
        admin_password: password,
    })
    .await
    .map_err(service_error)?;
    println!(
        "set up {}; sign in as {} and follow the first steps at /start",
        args.company.trim(),
        args.admin.trim()
    );
    Ok(())
}

fn read_password() -> Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("cannot read the password from standard input")?;
    let password = line.trim_end_matches(['\n', '\r']).to_string();
    if password.is_empty() {
        bail!(
            "no password on standard input (e.g. echo 'secret-pass' | mkpi user add … --password-stdin)"
        );
    }
    Ok(password)
}

fn services(store: mkpi_store::Store) -> mkpi_services::Services {
    mkpi_services::Services::new(store, mkpi_services::Clock::system(), Default::default())
}

pub async fn run(cmd: UserCommand, file: &FileConfig) -> Result<()> {
    match cmd {
        UserCommand::Add {
            login,
            role,
            employee,
            locale,
            db,
            ..
        } => {
            let password = read_password()?;
            let s = services(open_store(&db, file).await?);
            let user = s
                .create_user(
                    Principal::Operator,
                    NewUserInput {
                        login,
                        password,
                        role,
                        employee_email: employee,
                        locale,
                    },
                )
                .await
                .map_err(service_error)?;
            println!(
                "created user {} (id {}, role {})",
                user.login, user.id, user.role
            );
        }
        UserCommand::List { db } => {
            let s = services(open_store(&db, file).await?);
            let users = s
                .list_users(Principal::Operator)
                .await
                .map_err(service_error)?;
            println!("{:<20} {:<9} {:<8} employee", "login", "role", "status");
            for u in users {
                println!(
                    "{:<20} {:<9} {:<8} {}",
                    u.login,
                    u.role,
                    if u.active { "active" } else { "inactive" },
                    u.employee_name.unwrap_or_else(|| "—".into())
                );
            }
        }
        UserCommand::Passwd { login, db, .. } => {
            let password = read_password()?;
            let s = services(open_store(&db, file).await?);
            s.set_password(Principal::Operator, &login, &password)
                .await
                .map_err(service_error)?;
            println!("password of {login} changed; its sessions were ended");
        }
        UserCommand::Deactivate { login, db } => {
            let s = services(open_store(&db, file).await?);
            let user = s
                .find_user(Principal::Operator, &login)
                .await
                .map_err(service_error)?;
            s.deactivate_user(Principal::Operator, user.id)
                .await
                .map_err(service_error)?;
            println!("user {login} deactivated; its sessions were ended");
        }
    }
    Ok(())
}
