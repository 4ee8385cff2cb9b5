//! HTTPS: a CA and a server certificate made at test time (rcgen), `captain serve` with
//! `--tls-cert/--tls-key`, and the CLI trusting the CA with `--ca-file` or
//! `CAPTAIN_CA_FILE` — and refusing the server without it.

#![allow(clippy::unwrap_used)]

use std::path::Path;

use captain::server::auth::Role;
use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair, KeyUsagePurpose};

use super::common::{Run, SMALL_PIPELINE, TestEnv};
use super::server_harness::Server;

/// Writes ca.pem, server.pem and server.key into `dir`.
fn make_certificates(dir: &Path) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_key = KeyPair::generate().unwrap();
    let ca_cert = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);

    let server_params =
        CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
    let server_key = KeyPair::generate().unwrap();
    let server_cert = server_params.signed_by(&server_key, &issuer).unwrap();

    std::fs::write(dir.join("ca.pem"), ca_cert.pem()).unwrap();
    std::fs::write(dir.join("server.pem"), server_cert.pem()).unwrap();
    std::fs::write(dir.join("server.key"), server_key.serialize_pem()).unwrap();
}

#[test]
fn the_cli_talks_https_to_a_server_it_trusts_and_refuses_one_it_does_not() {
    let env = TestEnv::local();
    env.init_repo(SMALL_PIPELINE);
    let certs = env.path().join("certs");
    std::fs::create_dir_all(&certs).unwrap();
    make_certificates(&certs);
    let cert = certs.join("server.pem");
    let key = certs.join("server.key");
    let ca = certs.join("ca.pem");
    let server = Server::start_with(
        &env.path().join("server"),
        &[
            "--tls-cert",
            cert.to_str().unwrap(),
            "--tls-key",
            key.to_str().unwrap(),
        ],
        Some(ca.clone()),
    );
    server.register(SMALL_PIPELINE);
    assert!(
        server.url.starts_with("https://127.0.0.1:"),
        "{}",
        server.url
    );
    let ci = server.token("ci", Role::Deploy, true);

    let run = |args: &[&str], ca_env: Option<&Path>| -> Run {
        let mut command = env.command();
        command
            .env("CAPTAIN_STATE", &server.url)
            .env("CAPTAIN_TOKEN", &ci);
        if let Some(ca) = ca_env {
            command.env("CAPTAIN_CA_FILE", ca);
        }
        command.args(args).output().unwrap().into()
    };
    let created = run(&["release", "create", "--json"], Some(&ca)).ok().json();
    assert_eq!(created["release"], "v1");
    let ca_flag = ca.to_str().unwrap();
    let list = run(&["release", "list", "--json", "--ca-file", ca_flag], None)
        .ok()
        .json();
    assert_eq!(list["releases"][0]["release"], "v1", "{list}");

    // Without the CA the server's certificate is not trusted: a clear failure, exit 1.
    let refused = run(&["status"], None).code(1);
    assert!(
        refused.stderr.contains(&server.url)
            && refused.stderr.to_lowercase().contains("certificate"),
        "{}",
        refused.stderr
    );
    // A CA file that is not PEM is a usage error naming it.
    let bogus = env.path().join("bogus.pem");
    std::fs::write(&bogus, "not a certificate").unwrap();
    let bad = run(&["status"], Some(&bogus)).code(2);
    assert!(bad.stderr.contains("bogus.pem"), "{}", bad.stderr);
}

#[test]
fn serve_refuses_a_missing_certificate_clearly() {
    let env = TestEnv::local();
    let out: Run = env
        .command()
        .args(["serve", "--database"])
        .arg(format!("sqlite:{}", env.path().join("db").display()))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--tls-cert",
            "/nonexistent/cert.pem",
            "--tls-key",
            "/nonexistent/key.pem",
        ])
        .output()
        .unwrap()
        .into();
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr.contains("/nonexistent/cert.pem"),
        "{}",
        out.stderr
    );
}
