//! `governance public-key` and `governance schema`: what this deployment publishes, printed
//! without opening the database.

use crate::config::SigningArgs;

/// Prints the public key that verifies this deployment's checkpoints and reports.
pub fn public_key(signing: SigningArgs) -> anyhow::Result<()> {
    println!("{}", signing.signer()?.public_key_hex());
    Ok(())
}

/// Prints the GraphQL schema (SDL).
pub fn schema() {
    print!("{}", graphql::sdl());
}
