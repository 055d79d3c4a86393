//! `sqlx::migrate!` embeds the migrations when this crate compiles: recompile it when one is
//! added or changed, not only on a clean build.
fn main() {
    println!("cargo:rerun-if-changed=../schemas/migrations");
}
