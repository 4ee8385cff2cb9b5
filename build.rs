//! Links the `captain` binary at a fixed address on Linux (`-no-pie`).
//!
//! A position-independent executable has its pointers in read-only data (vtables, string
//! tables, the GOT) fixed up by the dynamic loader at every start: for captain about
//! 30,000 relocations (.rela.dyn 711 KB; 4.6 KB linked at a fixed address), 1 M
//! instructions and 90 page faults of every process, a ninth of `captain where` on the
//! large case (issue 16). Linked at a fixed address they are resolved once, by the linker.
//! The trade: the binary's own code and data are not at a random address (libraries,
//! heap and stack still are), as for most of Debian's packaged programs before PIE became
//! the default. Only the binaries: tests and the library are built as cargo builds them.
//!
//! On x86_64 Linux `.cargo/config.toml` goes further and links captain statically at a
//! fixed address (`crt-static`, `relocation-model=static`; this flag is then redundant).
//! It matters for a build for another target, e.g. `--target aarch64-unknown-linux-gnu`.
fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    if os == "linux" && env == "gnu" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
