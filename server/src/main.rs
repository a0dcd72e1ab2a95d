//! Wires configuration, logging and the application together, then serves.
//! `mfa-server reset-mfa --email <address>` is the operator's break-glass
//! for a locked-out user (an admin, say), and `mfa-server create-company`
//! starts a new company with an invitation for its first admin, and
//! `mfa-server rotate-signing-key` replaces the key that signs ID tokens:
//! each works whether the server runs or not.

use std::process::ExitCode;

use mfa_server::{Application, Config, telemetry};

const USAGE: &str = "usage: mfa-server                          serve (configured by MFA_* variables)
       mfa-server reset-mfa --email <address>   remove a user's second factors and recovery code
       mfa-server create-company --name <name> --admin-email <address> [--admin-name <name>]
                                                a new company, and an invitation for its first admin
       mfa-server rotate-signing-key            a new key signs ID tokens (the old one stays published
                                                until its tokens expire)";

#[tokio::main]
async fn main() -> anyhow::Result<ExitCode> {
    telemetry::init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            // Refused before anything is opened or bound: say why, plainly.
            eprintln!("mfa-server: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    match args.first().map(String::as_str) {
        None => serve(config).await.map(|()| ExitCode::SUCCESS),
        Some("reset-mfa") => Ok(reset_mfa(&config, &args[1..]).await),
        Some("create-company") => Ok(create_company(&config, &args[1..]).await),
        Some("rotate-signing-key") => Ok(rotate_signing_key(&config).await),
        Some("--help" | "-h" | "help") => {
            println!("{USAGE}");
            Ok(ExitCode::SUCCESS)
        }
        Some(other) => {
            eprintln!("unknown command {other:?}\n{USAGE}");
            Ok(ExitCode::from(2))
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let app = Application::build(config).await?;
    if let Some(demo) = app.demo_accounts() {
        // Printed (not logged) on purpose: the operator asked for demo mode and
        // needs the password to try the product.
        println!("{demo}");
    }
    println!("listening on http://{}", app.local_addr());
    app.run_until_stopped().await?;
    Ok(())
}

async fn reset_mfa(config: &Config, args: &[String]) -> ExitCode {
    let email = match args {
        [flag, email] if flag == "--email" => email.clone(),
        [flag] if flag.starts_with("--email=") => flag["--email=".len()..].to_owned(),
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match mfa_server::reset_mfa(config, &email).await {
        Ok(removed) => {
            println!(
                "Two-factor authentication reset for {email}: {removed} factor(s) and the recovery code removed, sessions ended. They set it up again at their next sign-in; an email tells them."
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("reset-mfa failed: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn rotate_signing_key(config: &Config) -> ExitCode {
    match mfa_server::rotate_signing_key(config).await {
        Ok(kid) => {
            println!(
                "A new key ({kid}) signs ID tokens from now on; the previous one stays published for 10 minutes, until the tokens it signed expire."
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("rotate-signing-key failed: {e:#}");
            ExitCode::FAILURE
        }
    }
}

async fn create_company(config: &Config, args: &[String]) -> ExitCode {
    let mut name = None;
    let mut email = None;
    let mut admin_name = None;
    let mut rest = args.iter();
    while let Some(flag) = rest.next() {
        let (flag, inline) = match flag.split_once('=') {
            Some((flag, value)) => (flag, Some(value.to_owned())),
            None => (flag.as_str(), None),
        };
        let value = inline.or_else(|| rest.next().cloned());
        let slot = match flag {
            "--name" => &mut name,
            "--admin-email" => &mut email,
            "--admin-name" => &mut admin_name,
            _ => {
                eprintln!("unknown option {flag:?}\n{USAGE}");
                return ExitCode::from(2);
            }
        };
        *slot = value;
    }
    let (Some(name), Some(email)) = (name, email) else {
        eprintln!("create-company needs --name and --admin-email\n{USAGE}");
        return ExitCode::from(2);
    };
    match mfa_server::create_company(config, &name, &email, admin_name.as_deref()).await {
        Ok(link) => {
            // Printed once, for the operator to hand over; the email carries it too.
            println!(
                "Company {:?} created. Its first admin, {email}, is invited by email; their link (valid 7 days, single use):\n{link}",
                name.trim()
            );
            ExitCode::SUCCESS
        }
        Err(mfa_server::CreateCompanyError::Refused(why)) => {
            eprintln!("create-company: {why}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("create-company failed: {e:#}");
            ExitCode::FAILURE
        }
    }
}
