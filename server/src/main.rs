//! Wires configuration, logging and the application together, then serves.

use mfa_server::{Application, Config, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init();
    let config = Config::from_env()?;
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
