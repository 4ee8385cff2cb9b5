//! `/openapi.json`: the API's contract, generated from the routes themselves (aide over
//! schemars). Each route file registers a handler and its documentation in one call
//! (`api_route(path, post_with(handler, |op| …))`); the handler's own types make the
//! schemas: [`JsonBody<B>`] is the request body `B`, [`Reply<T>`] the answer `T`, the
//! path and query structs their parameters. The documentation adds what types cannot
//! say: a summary, the role the route needs ([`needs`], [`public`]) and the JSON error
//! shape of every refusal.
//!
//! The role written in the document is also the one enforced: [`Contract::authorize`]
//! looks each request's route up in the table built from the document and answers 401
//! or 403 before the route reads its path, query or body. A route a handler escalates
//! (`force` needs an operator) documents that too, and the handler checks it once the
//! body is read.

use std::cell::RefCell;
use std::collections::HashMap;
use std::convert::Infallible;
use std::marker::PhantomData;
use std::rc::Rc;
use std::sync::Arc;

use aide::axum::ApiRouter;
use aide::generate::GenContext;
use aide::openapi::{
    Components, Info, MediaType, OpenApi, Operation, ReferenceOr, RequestBody, Response,
    SchemaObject, SecurityScheme, StatusCode as DocStatus,
};
use aide::transform::TransformOperation;
use aide::{OperationInput, OperationOutput};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{FromRequest, MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::Next;
use axum::response::IntoResponse;
use indexmap::IndexMap;
use schemars::JsonSchema;

use super::auth::{self, Caller, Role};
use super::denied_response;
use crate::store::wire::ErrorBody;

/// The name of the security scheme every route with a role names.
pub const SECURITY_SCHEME: &str = "bearer";
/// The operation extension naming the least role a route needs (`null`: no token).
pub const ROLE_EXTENSION: &str = "x-captain-role";
/// The operation extension saying when a route needs more than [`ROLE_EXTENSION`].
pub const ESCALATION_EXTENSION: &str = "x-captain-role-escalation";

/// A JSON request body of type `B`. It is read as bytes and parsed by the handler, after
/// the role check, so that a bad body is answered in the JSON error shape (never axum's
/// plain-text rejection); the document shows `B`'s schema.
pub(crate) struct JsonBody<B> {
    pub(crate) raw: Result<Bytes, BytesRejection>,
    of: PhantomData<fn() -> B>,
}

impl<B> JsonBody<B> {
    /// A body read as another route's type (an import's lines are parsed by the route).
    pub(crate) fn from_raw(raw: Result<Bytes, BytesRejection>) -> Self {
        JsonBody {
            raw,
            of: PhantomData,
        }
    }
}

impl<S: Send + Sync, B> FromRequest<S> for JsonBody<B> {
    type Rejection = Infallible;

    async fn from_request(request: Request, state: &S) -> Result<Self, Infallible> {
        Ok(JsonBody {
            raw: Bytes::from_request(request, state).await,
            of: PhantomData,
        })
    }
}

impl<B: JsonSchema> OperationInput for JsonBody<B> {
    fn operation_input(ctx: &mut GenContext, operation: &mut Operation) {
        axum::Json::<B>::operation_input(ctx, operation);
    }
}

/// A request body of JSON Lines, each line a `T` (a ledger import).
pub(crate) struct JsonLinesBody<T> {
    pub(crate) raw: Result<Bytes, BytesRejection>,
    of: PhantomData<fn() -> T>,
}

impl<S: Send + Sync, T> FromRequest<S> for JsonLinesBody<T> {
    type Rejection = Infallible;

    async fn from_request(request: Request, state: &S) -> Result<Self, Infallible> {
        Ok(JsonLinesBody {
            raw: Bytes::from_request(request, state).await,
            of: PhantomData,
        })
    }
}

impl<T: JsonSchema> OperationInput for JsonLinesBody<T> {
    fn operation_input(ctx: &mut GenContext, operation: &mut Operation) {
        let schema = ctx.schema.subschema_for::<T>();
        aide::operation::set_body(
            ctx,
            operation,
            RequestBody {
                description: Some("JSON Lines: one record of this schema per line".into()),
                content: IndexMap::from_iter([(
                    JSON_LINES.to_string(),
                    MediaType {
                        schema: Some(SchemaObject {
                            json_schema: schema,
                            example: None,
                            external_docs: None,
                        }),
                        ..Default::default()
                    },
                )]),
                required: true,
                extensions: IndexMap::default(),
            },
        );
    }
}

/// The media type of an export and an import.
pub const JSON_LINES: &str = "application/x-ndjson";

/// A handler's answer: on success a JSON `T` (the document shows `T`'s schema; the
/// helpers that build it serialize a `T`, so the two cannot differ), or an error in the
/// JSON error shape.
pub(crate) struct Reply<T> {
    response: axum::response::Response,
    of: PhantomData<fn() -> T>,
}

impl<T> From<axum::response::Response> for Reply<T> {
    fn from(response: axum::response::Response) -> Self {
        Reply {
            response,
            of: PhantomData,
        }
    }
}

impl<T> IntoResponse for Reply<T> {
    fn into_response(self) -> axum::response::Response {
        self.response
    }
}

impl<T: JsonSchema> OperationOutput for Reply<T> {
    type Inner = T;

    fn operation_response(ctx: &mut GenContext, operation: &mut Operation) -> Option<Response> {
        axum::Json::<T>::operation_response(ctx, operation)
    }

    fn inferred_responses(
        ctx: &mut GenContext,
        operation: &mut Operation,
    ) -> Vec<(Option<DocStatus>, Response)> {
        axum::Json::<T>::operation_response(ctx, operation)
            .map(|response| vec![(Some(DocStatus::Code(200)), response)])
            .unwrap_or_default()
    }
}

/// A streamed answer of JSON Lines, each line a `T` (a ledger export).
pub(crate) struct JsonLinesReply<T> {
    response: axum::response::Response,
    of: PhantomData<fn() -> T>,
}

impl<T> From<axum::response::Response> for JsonLinesReply<T> {
    fn from(response: axum::response::Response) -> Self {
        JsonLinesReply {
            response,
            of: PhantomData,
        }
    }
}

impl<T> IntoResponse for JsonLinesReply<T> {
    fn into_response(self) -> axum::response::Response {
        self.response
    }
}

impl<T: JsonSchema> OperationOutput for JsonLinesReply<T> {
    type Inner = T;

    fn operation_response(ctx: &mut GenContext, _: &mut Operation) -> Option<Response> {
        let schema = ctx.schema.subschema_for::<T>();
        Some(Response {
            description: "JSON Lines: one record of this schema per line".into(),
            content: IndexMap::from_iter([(
                JSON_LINES.to_string(),
                MediaType {
                    schema: Some(SchemaObject {
                        json_schema: schema,
                        example: None,
                        external_docs: None,
                    }),
                    ..Default::default()
                },
            )]),
            ..Default::default()
        })
    }

    fn inferred_responses(
        ctx: &mut GenContext,
        operation: &mut Operation,
    ) -> Vec<(Option<DocStatus>, Response)> {
        Self::operation_response(ctx, operation)
            .map(|response| vec![(Some(DocStatus::Code(200)), response)])
            .unwrap_or_default()
    }
}

/// The Prometheus scrape (`GET /metrics`): OpenMetrics text, not JSON.
pub(crate) struct MetricsReply(axum::response::Response);

impl From<axum::response::Response> for MetricsReply {
    fn from(response: axum::response::Response) -> Self {
        MetricsReply(response)
    }
}

impl IntoResponse for MetricsReply {
    fn into_response(self) -> axum::response::Response {
        self.0
    }
}

impl OperationOutput for MetricsReply {
    type Inner = String;

    fn operation_response(ctx: &mut GenContext, _: &mut Operation) -> Option<Response> {
        let schema = ctx.schema.subschema_for::<String>();
        Some(Response {
            description: "The OpenMetrics text format".into(),
            content: IndexMap::from_iter([(
                "application/openmetrics-text".to_string(),
                MediaType {
                    schema: Some(SchemaObject {
                        json_schema: schema,
                        example: None,
                        external_docs: None,
                    }),
                    ..Default::default()
                },
            )]),
            ..Default::default()
        })
    }

    fn inferred_responses(
        ctx: &mut GenContext,
        operation: &mut Operation,
    ) -> Vec<(Option<DocStatus>, Response)> {
        Self::operation_response(ctx, operation)
            .map(|response| vec![(Some(DocStatus::Code(200)), response)])
            .unwrap_or_default()
    }
}

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// No token needed (liveness, this document).
    Public,
    /// A token with at least this role.
    Needs(Role),
}

/// Documents a route that needs a token with at least `role`: the security requirement,
/// [`ROLE_EXTENSION`], a sentence in the description, and the refusals.
pub(crate) fn needs(role: Role) -> impl FnOnce(TransformOperation<'_>) -> TransformOperation<'_> {
    move |op| {
        let mut op = op.security_requirement(SECURITY_SCHEME);
        let inner = op.inner_mut();
        inner
            .extensions
            .insert(ROLE_EXTENSION.into(), serde_json::json!(role.as_str()));
        append_description(
            inner,
            &format!("Needs a bearer token with role `{role}` or higher."),
        );
        refusals(op)
    }
}

/// [`needs`] `role`, and `higher` when `condition` (e.g. "`force` is set").
pub(crate) fn needs_escalated(
    role: Role,
    higher: Role,
    condition: &'static str,
) -> impl FnOnce(TransformOperation<'_>) -> TransformOperation<'_> {
    move |op| {
        let mut op = needs(role)(op);
        let inner = op.inner_mut();
        inner.extensions.insert(
            ESCALATION_EXTENSION.into(),
            serde_json::json!({ "role": higher.as_str(), "when": condition }),
        );
        append_description(inner, &format!("Role `{higher}` when {condition}."));
        op
    }
}

/// Documents a route any client may call, without a token.
pub(crate) fn public(op: TransformOperation<'_>) -> TransformOperation<'_> {
    let mut op = op;
    let inner = op.inner_mut();
    inner
        .extensions
        .insert(ROLE_EXTENSION.into(), serde_json::Value::Null);
    append_description(inner, "Needs no token.");
    op.response_with::<500, axum::Json<ErrorBody>, _>(|r| r.description(ERROR_500))
}

fn append_description(operation: &mut Operation, sentence: &str) {
    operation.description = Some(match operation.description.take() {
        Some(text) if !text.is_empty() => format!("{text}\n\n{sentence}"),
        _ => sentence.to_string(),
    });
}

const ERROR_500: &str =
    "The server failed (`internal`, `error`); the message says no more than that.";

/// The refusals every route with a role may answer, each in the JSON error shape
/// `{"error": {"kind", "message", "hint"}}`.
fn refusals(op: TransformOperation<'_>) -> TransformOperation<'_> {
    op.response_with::<400, axum::Json<ErrorBody>, _>(|r| {
        r.description("A path, query or body that is not what the route takes (`usage`).")
    })
    .response_with::<401, axum::Json<ErrorBody>, _>(|r| {
        r.description("No token, or one that is unknown or revoked (`unauthorized`).")
    })
    .response_with::<403, axum::Json<ErrorBody>, _>(|r| {
        r.description("The token's role is too low for the route (`forbidden`).")
    })
    .response_with::<404, axum::Json<ErrorBody>, _>(|r| {
        r.description("The pipeline is not registered, or what the path names does not exist (`not found`).")
    })
    .response_with::<409, axum::Json<ErrorBody>, _>(|r| {
        r.description("The request conflicts with what is recorded, or the client's pipeline.toml is not the server's (`conflict`).")
    })
    .response_with::<413, axum::Json<ErrorBody>, _>(|r| {
        r.description("The body is larger than the route accepts (`usage`).")
    })
    .response_with::<423, axum::Json<ErrorBody>, _>(|r| {
        r.description("A rule of the pipeline blocks it: a lock, a window, a blocker (`blocked`).")
    })
    .response_with::<500, axum::Json<ErrorBody>, _>(|r| r.description(ERROR_500))
    .response_with::<503, axum::Json<ErrorBody>, _>(|r| {
        r.description("The database does not answer now; retry after `Retry-After` (`unavailable`).")
    })
}

/// The document, and the access table built from it.
pub struct Contract {
    pub document: OpenApi,
    /// The document as served.
    json: Bytes,
    /// (method, route template) → who may call it, from [`ROLE_EXTENSION`].
    access: HashMap<(Method, String), (Access, String)>,
    /// What the generator complained about (a test keeps it empty).
    pub problems: Vec<String>,
}

impl Contract {
    /// The routes as axum serves them, and their contract.
    /// `routes` registers them: it runs after the generator is set up, since
    /// registering is what generates the schemas.
    pub(crate) fn build<S: Clone + Send + Sync + 'static>(
        routes: impl FnOnce() -> ApiRouter<S>,
    ) -> (axum::Router<S>, Arc<Contract>) {
        let problems = Rc::new(RefCell::new(Vec::new()));
        {
            let problems = problems.clone();
            aide::generate::on_error(move |e| problems.borrow_mut().push(e.to_string()));
        }
        aide::generate::extract_schemas(true);
        let mut document = OpenApi {
            info: Info {
                title: "captain".into(),
                version: env!("CARGO_PKG_VERSION").into(),
                description: Some(DESCRIPTION.into()),
                ..Info::default()
            },
            ..OpenApi::default()
        };
        let router = routes().finish_api(&mut document);
        let components = document.components.get_or_insert_with(Components::default);
        components.security_schemes.insert(
            SECURITY_SCHEME.into(),
            ReferenceOr::Item(SecurityScheme::Http {
                scheme: "bearer".into(),
                bearer_format: Some("cpt_ followed by 64 hex digits".into()),
                description: Some(
                    "An API token from `captain token create` (or `serve --bootstrap-token-file`)."
                        .into(),
                ),
                extensions: IndexMap::default(),
            }),
        );
        let access = access_table(&document, &mut problems.borrow_mut());
        let json = Bytes::from(serde_json::to_vec_pretty(&document).unwrap_or_default());
        let problems = problems.borrow().clone();
        let contract = Contract {
            document,
            json,
            access,
            problems,
        };
        (router, Arc::new(contract))
    }

    /// The document as JSON, as `/openapi.json` serves it and the snapshot stores it.
    pub fn json(&self) -> &Bytes {
        &self.json
    }

    /// Every documented (method, path) with who may call it.
    pub fn operations(&self) -> Vec<(Method, String, Access)> {
        let mut all: Vec<_> = self
            .access
            .iter()
            .map(|((method, path), (access, _))| (method.clone(), path.clone(), *access))
            .collect();
        all.sort_by(|a, b| (&a.1, a.0.as_str()).cmp(&(&b.1, b.0.as_str())));
        all
    }

    /// Middleware: a request to a documented route gets the documented role checked
    /// before the route runs (so 401 and 403 come before any 400 about its input). A
    /// route missing from the table is refused: nothing is served undocumented.
    pub(crate) async fn authorize(
        State(contract): State<Arc<Contract>>,
        request: Request,
        next: Next,
    ) -> axum::response::Response {
        let Some(route) = request.extensions().get::<MatchedPath>() else {
            // No route matched: the fallback answers 404.
            return next.run(request).await;
        };
        let key = (request.method().clone(), route.as_str().to_string());
        let Some((access, what)) = contract.access.get(&key) else {
            // A path that exists without this method: the 405 fallback answers.
            if contract
                .access
                .keys()
                .any(|(_, path)| path == route.as_str())
            {
                return next.run(request).await;
            }
            tracing::error!(route = %route.as_str(), "a route is served but not documented");
            return super::error_response(&crate::error::Error::internal(
                "this route is not in the API document",
            ));
        };
        if let Access::Needs(role) = access {
            let caller = request
                .extensions()
                .get::<Caller>()
                .cloned()
                .unwrap_or(Caller::Anonymous);
            if let Err(denied) = auth::require(&caller, *role, what) {
                return denied_response(denied);
            }
        }
        next.run(request).await
    }
}

/// Reads [`ROLE_EXTENSION`] off every operation.
fn access_table(
    document: &OpenApi,
    problems: &mut Vec<String>,
) -> HashMap<(Method, String), (Access, String)> {
    let mut table = HashMap::new();
    let Some(paths) = &document.paths else {
        return table;
    };
    for (path, item) in &paths.paths {
        let ReferenceOr::Item(item) = item else {
            continue;
        };
        for (method, operation) in item.iter() {
            let Ok(method) = Method::from_bytes(method.to_ascii_uppercase().as_bytes()) else {
                continue;
            };
            let access = match operation.extensions.get(ROLE_EXTENSION) {
                Some(serde_json::Value::Null) => Access::Public,
                Some(serde_json::Value::String(role)) => match role.parse() {
                    Ok(role) => Access::Needs(role),
                    Err(_) => {
                        problems.push(format!("{method} {path}: unknown role `{role}`"));
                        continue;
                    }
                },
                _ => {
                    problems.push(format!("{method} {path}: no {ROLE_EXTENSION}"));
                    continue;
                }
            };
            let what = format!("`{method} {path}`");
            table.insert((method, path.clone()), (access, what));
        }
    }
    table
}

const DESCRIPTION: &str = "The team server of captain, the release captain: the same operations the CLI runs on a local ledger, over HTTP and JSON, one ledger per pipeline (`/v1/pipelines/{pipeline}/…`).\n\nEvery route but `/healthz` and this document needs `Authorization: Bearer <token>`; each route names the least role it needs in `x-captain-role` (`read` < `deploy` < `operator` < `admin`). Every error is `{\"error\": {\"kind\", \"message\", \"hint\"}}`. Mutations take an optional `Idempotency-Key` header: a retry with the same key gets the first answer again. A client may send `Captain-Pipeline-Digest` (the SHA-256 of the pipeline.toml it read) to be refused (409) when it is not the server's newest version.\n\nThis document is generated from the server's routes.";

/// The API document of this build.
pub fn document() -> Arc<Contract> {
    Contract::build(super::routes::routes).1
}

/// Where the committed snapshot of the document lives, from the crate's root.
pub const SNAPSHOT: &str = "openapi.json";

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failing test should panic with the error it got
mod tests {
    use super::*;

    /// The committed `openapi.json` is the document this build serves: a change to a
    /// route, a handler's types or a schema shows up as a diff in review, never unseen.
    #[test]
    fn the_document_matches_its_committed_snapshot() {
        let contract = document();
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SNAPSHOT);
        let generated = String::from_utf8(contract.json().to_vec()).unwrap() + "\n";
        if std::env::var_os("CAPTAIN_UPDATE_OPENAPI").is_some() {
            std::fs::write(&path, &generated).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != generated {
            let first = committed
                .lines()
                .zip(generated.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(committed.lines().count().min(generated.lines().count()));
            panic!(
                "{SNAPSHOT} differs from the document this build generates (first at line {}).\n\
                 If the change is meant, regenerate it and commit it:\n    \
                 CAPTAIN_UPDATE_OPENAPI=1 cargo test --lib openapi::tests::the_document_matches",
                first + 1
            );
        }
    }

    #[test]
    fn the_generator_has_nothing_to_complain_about() {
        let contract = document();
        assert!(contract.problems.is_empty(), "{:#?}", contract.problems);
    }

    /// Every operation says who may call it, documents its answer and its refusals in the
    /// error shape, and names its parameters.
    #[test]
    fn every_operation_documents_its_role_answer_and_errors() {
        let contract = document();
        let doc = serde_json::to_value(&contract.document).unwrap();
        let paths = doc["paths"].as_object().unwrap();
        let mut operations = 0;
        for (path, item) in paths {
            for (method, op) in item.as_object().unwrap() {
                operations += 1;
                let name = format!("{method} {path}");
                let role = &op[ROLE_EXTENSION];
                assert!(role.is_null() || role.is_string(), "{name}: {role}");
                assert!(op["operationId"].is_string(), "{name}");
                assert!(op["summary"].is_string(), "{name}");
                let responses = op["responses"].as_object().unwrap();
                let ok = &responses["200"]["content"];
                assert!(
                    ok["application/json"]["schema"].is_object()
                        || ok[JSON_LINES]["schema"].is_object()
                        || ok["application/openmetrics-text"]["schema"].is_object()
                        || op["operationId"] == "openapi",
                    "{name}: no answer schema"
                );
                assert_eq!(
                    responses["500"]["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorBody",
                    "{name}"
                );
                if role.is_string() {
                    assert_eq!(op["security"], serde_json::json!([{SECURITY_SCHEME: []}]));
                    for status in ["400", "401", "403", "404", "409", "503"] {
                        assert_eq!(
                            responses[status]["content"]["application/json"]["schema"]["$ref"],
                            "#/components/schemas/ErrorBody",
                            "{name} {status}"
                        );
                    }
                }
                if method == "post" && op["operationId"] != "importLedger" {
                    assert!(
                        op["requestBody"]["content"]["application/json"]["schema"].is_object(),
                        "{name}: no body schema"
                    );
                }
                for parameter in path.split('{').skip(1) {
                    let parameter = parameter.split('}').next().unwrap();
                    let documented = op["parameters"].as_array().is_some_and(|ps| {
                        ps.iter()
                            .any(|p| p["name"] == parameter && p["in"] == "path")
                    });
                    assert!(documented, "{name}: path parameter {parameter}");
                }
            }
        }
        assert_eq!(operations, contract.operations().len());
        assert!(operations >= 45, "{operations} operations");
    }

    /// The router is built only from documented registrations: no route file adds a
    /// route the document would not know (and [`Contract::authorize`] refuses any that
    /// slipped through).
    #[test]
    fn every_route_is_registered_with_its_documentation() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/server/routes");
        let mut files = 0;
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            files += 1;
            for undocumented in [".route(", ".route_service(", ".nest(", ".nest_service("] {
                assert!(
                    !text.contains(undocumented),
                    "{} registers a route with `{undocumented}`: use `api_route` with its documentation",
                    path.display()
                );
            }
        }
        assert!(files >= 10);
    }
}
