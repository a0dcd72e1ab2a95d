use std::collections::BTreeSet;

use axum::http::{Method, StatusCode};
use serde_json::Value;

use crate::helpers::{TestApp, spawn_app};

/// The methods an API route may have, and one no route uses.
const METHODS: [&str; 5] = ["get", "post", "put", "delete", "options"];

async fn description(app: &TestApp) -> Value {
    let reply = app.get("/api/openapi.json", None).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    assert_eq!(
        reply.headers["content-type"], "application/json",
        "{:?}",
        reply.headers
    );
    reply.body
}

/// `/api/companies/{id}/members/{member}` with its parameters filled in.
fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find('}').expect("a closed parameter") + open;
        out.push('1');
        rest = &rest[close + 1..];
    }
    out.push_str(rest);
    out
}

#[tokio::test]
async fn the_description_is_openapi_3_1_with_bodies_and_errors_for_every_operation() {
    let app = spawn_app().await;
    let doc = description(&app).await;
    assert_eq!(doc["openapi"], "3.1.0");
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in [
        "ErrorBody",
        "ErrorCode",
        "Me",
        "SignInRequest",
        "SignInOutcome",
    ] {
        assert!(schemas.contains_key(name), "{name} is described");
    }
    // Every reference resolves.
    let text = doc.to_string();
    for reference in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = &reference[..reference.find('"').unwrap()];
        assert!(
            schemas.contains_key(name),
            "{name} is referenced but not described"
        );
    }
    let paths = doc["paths"].as_object().unwrap();
    for (path, item) in paths {
        for (method, operation) in item.as_object().unwrap() {
            let responses = operation["responses"].as_object().unwrap();
            assert!(
                responses
                    .keys()
                    .any(|s| s.starts_with('2') || s.starts_with('3')),
                "{method} {path} has its success described"
            );
            if path.starts_with("/api/") {
                assert_eq!(
                    operation["responses"]["422"]["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorBody",
                    "{method} {path} has its errors described"
                );
            }
        }
    }
    // Request bodies are described.
    assert_eq!(
        paths["/api/sign-in"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/SignInRequest"
    );
    assert!(
        paths["/oidc/token"]["post"]["requestBody"]["content"]["application/x-www-form-urlencoded"]
            .is_object()
    );
}

/// Each described path answers its described methods and no other: a route
/// the router has under that path with a method the description lacks would
/// not answer 405, and a described route the router lacks would be 404.
#[tokio::test]
async fn every_described_operation_is_routed_and_every_method_of_its_path_is_described() {
    let app = spawn_app().await;
    let doc = description(&app).await;
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 60, "{} paths", paths.len());
    for (path, item) in paths {
        let described: BTreeSet<&str> = item
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        for method in METHODS.iter().chain(&["patch"]) {
            let request = app.request(
                Method::from_bytes(method.to_uppercase().as_bytes()).unwrap(),
                &concrete(path),
                None,
                None,
            );
            let reply = app.send_as_is(request).await;
            if described.contains(method) {
                assert_ne!(
                    reply.status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path} is described but not routed"
                );
                assert!(
                    !(reply.status == StatusCode::NOT_FOUND && reply.body.is_string()),
                    "{method} {path} is described but not routed: {:?}",
                    reply.body
                );
            } else {
                assert_eq!(
                    reply.status,
                    StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {path} is routed but not described"
                );
            }
        }
    }
}

/// The routers are built with `routes!` only, which registers a handler and
/// its description together; a plain `.route(...)` would add a route the
/// description misses. The one exception: outside demo mode `/outbox` is a
/// page that says "Not found" (not an API route).
#[test]
fn no_route_is_registered_without_its_description() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/http");
    let mut offenders = Vec::new();
    let mut stack = vec![dir];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            for (number, line) in text.lines().enumerate() {
                let registers = [".route(", ".route_service(", ".nest_service(", "routing::"]
                    .iter()
                    .any(|needle| line.contains(needle));
                let allowed = path.ends_with("mod.rs")
                    && (line.contains("app.route(")
                        || line.contains("axum::routing::get(|| async"));
                if registers && !allowed {
                    offenders.push(format!(
                        "{}:{}: {}",
                        path.display(),
                        number + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "routes without a description:\n{}",
        offenders.join("\n")
    );
}
