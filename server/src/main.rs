//! Wires configuration, logging and the application together, then serves.
//! `mfa-server reset-mfa --email <address>` is the operator's break-glass
//! for a locked-out user (an admin, say): it works whether the server runs or not.

use std::process::ExitCode;

use mfa_server::{Application, Config, telemetry};

const USAGE: &str =
    "usage: mfa-server                          serve (configured by MFA_* variables)
       mfa-server reset-mfa --email <address>   remove a user's second factors and recovery code";

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
