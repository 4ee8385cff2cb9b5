//! The whole ledger: its audit events, export and import.

#![allow(clippy::result_large_err)]

use super::*;

pub(super) fn routes(p: &str) -> ApiRouter<App> {
    ApiRouter::new()
        .api_route(
            &format!("{p}/audit"),
            get_with(audit_events, |op| {
                op.id("auditEvents")
                    .tag("ledger")
                    .summary("The pipeline's audit events, newest first")
                    .with(needs(Role::Read))
            }),
        )
        .api_route(
            &format!("{p}/events"),
            get_with(events, |op| {
                op.id("events")
                    .tag("ledger")
                    .summary("The event log, oldest first, as JSON Lines")
                    .description(
                        "Events after `after` (a line's `cursor`), or after event `since`. \
                         Without `follow`, one page of at most `limit` (500) events. With \
                         `follow=true`, a stream that sends new events as they commit, a \
                         blank heartbeat line while nothing happens, and ends after an hour \
                         (resume with `after`). With `Accept: text/event-stream`, Server-Sent \
                         Events: `id` is the cursor (`Last-Event-ID` resumes), `data` the line.",
                    )
                    .with(needs(Role::Read))
            }),
        )
        .api_route(
            &format!("{p}/export"),
            get_with(export, |op| {
                op.id("exportLedger")
                    .tag("ledger")
                    .summary("The whole ledger as JSON Lines, streamed")
                    .with(needs(Role::Read))
            }),
        )
        .api_route(
            &format!("{p}/import"),
            post_with(import, |op| {
                op.id("importLedger")
                    .tag("ledger")
                    .summary(
                        "Import a ledger export (`?merge=true` into a ledger that has records)",
                    )
                    .with(needs(Role::Admin))
            })
            .layer(DefaultBodyLimit::max(IMPORT_BODY_LIMIT)),
        )
}

/// `?limit=&target=&actor=` of the audit routes (the server's own and a pipeline's).
#[derive(serde::Deserialize, JsonSchema)]
pub(super) struct AuditQuery {
    pub(super) limit: Option<usize>,
    pub(super) target: Option<String>,
    pub(super) actor: Option<String>,
}

async fn audit_events(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P1,
    query: QueryOf<AuditQuery>,
) -> Reply<Vec<AuditEvent>> {
    let (Path(PipelinePath { pipeline }), Query(q)) = match (path, query) {
        (Ok(p), Ok(q)) => (p, q),
        (Err(r), _) => return bad_path(r).into(),
        (_, Err(r)) => return bad_query(r).into(),
    };
    let filter = AuditFilter {
        limit: q.limit,
        target: q.target,
        actor: q.actor,
    };
    read(&app, &caller, pipeline, "reading audit events", move |s| {
        s.audit_events(&filter)
    })
    .await
}

async fn export(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P1,
) -> JsonLinesReply<LedgerRecord> {
    if let Err(denied) = auth::require(&caller, Role::Read, "exporting the ledger") {
        return denied_response(denied).into();
    }
    let Path(PipelinePath { pipeline }) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r).into(),
    };
    // The lines go out as the store reads them, a chunk at a time, so a big ledger is
    // never in memory whole. What fails before the first chunk is answered as an error;
    // what fails after it cuts the answer off (the client then says at which line).
    // In the heavy lane (see `server::limits`): a crowd of exports never takes the turns
    // of the writes, and one that waited too long for its turn is told to come back.
    let turn = match crate::server::limits::heavy_turn(&app).await {
        Ok(turn) => turn,
        Err(e) => return error_response(&e).into(),
    };
    let (chunks, receiver) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(4);
    let (started, first) = tokio::sync::oneshot::channel::<Result<()>>();
    let stores = app.stores.clone();
    tokio::spawn(async move {
        let mut started = Some(started);
        let outcome = App::run_blocking(turn, move || {
            let mut buffer = Vec::with_capacity(EXPORT_CHUNK);
            let mut send = |buffer: &mut Vec<u8>| -> Result<()> {
                if let Some(started) = started.take() {
                    let _ = started.send(Ok(()));
                }
                chunks
                    .blocking_send(Ok(Bytes::from(std::mem::take(buffer))))
                    .map_err(|_| Error::failed("the client stopped reading the export"))
            };
            let exported = stores.get(&pipeline).and_then(|store| {
                store.export(&mut |record| {
                    serde_json::to_writer(&mut buffer, &record).map_err(|e| {
                        Error::internal(format!("could not encode the export: {e}"))
                    })?;
                    buffer.push(b'\n');
                    if buffer.len() >= EXPORT_CHUNK {
                        send(&mut buffer)?;
                    }
                    Ok(())
                })
            });
            match exported {
                Ok(()) => send(&mut buffer),
                Err(e) => match started.take() {
                    Some(started) => {
                        let _ = started.send(Err(e));
                        Ok(())
                    }
                    None => {
                        let cut = std::io::Error::other(e.message.clone());
                        let _ = chunks.blocking_send(Err(cut));
                        Err(e)
                    }
                },
            }
        })
        .await;
        if let Err(e) = outcome {
            tracing::warn!(error = %e.message, "the export was cut off");
        }
    });
    match first.await {
        Ok(Ok(())) => {
            let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
                receiver.recv().await.map(|chunk| (chunk, receiver))
            });
            let mut response = Response::new(Body::from_stream(stream));
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/x-ndjson"),
            );
            response.into()
        }
        Ok(Err(e)) => error_response(&e).into(),
        Err(_) => error_response(&Error::internal("the export stopped before it began")).into(),
    }
}

/// How many bytes of an export's lines go out at a time.
const EXPORT_CHUNK: usize = 64 * 1024;

#[derive(serde::Deserialize, JsonSchema)]
struct ImportQuery {
    merge: Option<bool>,
}

#[allow(clippy::too_many_arguments)]
async fn import(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P1,
    query: QueryOf<ImportQuery>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: JsonLinesBody<LedgerRecord>,
) -> Reply<ImportSummary> {
    let (Path(PipelinePath { pipeline }), Query(q)) = match (path, query) {
        (Ok(p), Ok(q)) => (p, q),
        (Err(r), _) => return bad_path(r).into(),
        (_, Err(r)) => return bad_query(r).into(),
    };
    let mode = if q.merge.unwrap_or(false) {
        ImportMode::Merge
    } else {
        ImportMode::EmptyOnly
    };
    let m = Mutation {
        app: &app,
        caller: &caller,
        pipeline,
        method,
        uri,
        headers,
        body: JsonBody::<LedgerRecord>::from_raw(body.raw),
        what: "importing a ledger",
    };
    // The body is JSON Lines, not one JSON value: the records are read from it line by
    // line as the store takes them (`Bytes` is shared, not copied, for each attempt).
    mutate_parsed(
        m,
        |bytes| {
            // An export has at least its header line: an empty body is no export.
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Err(error_response(
                    &Error::usage("the import is empty: it has no header line")
                        .with_hint("send what `GET …/export` answered"),
                ));
            }
            Ok(bytes.clone())
        },
        |_| Role::Admin,
        move |s, lines: Bytes, _| {
            // The CLI's reader: a header checked if there is one, every line bounded.
            let mut records = crate::store::export::read_records(&lines[..]);
            s.import(&mut records, mode)
        },
        None,
    )
    .await
}

/// `?after=&since=&limit=&follow=` of the event log.
#[derive(serde::Deserialize, JsonSchema)]
struct EventsQuery {
    /// Resume after this cursor (`TXID.SEQ`, a line's `cursor`).
    after: Option<String>,
    /// Only events whose `seq` is above this.
    since: Option<i64>,
    /// At most this many events in one page (at most 500).
    limit: Option<usize>,
    /// Keep the answer open and send new events as they commit.
    follow: Option<bool>,
}

/// How often a followed stream asks the ledger for new events.
const EVENT_POLL: std::time::Duration = std::time::Duration::from_millis(500);
/// How long a followed stream stays silent before it sends a heartbeat.
const EVENT_HEARTBEAT: std::time::Duration = std::time::Duration::from_secs(15);

/// One line of the answer, as JSON Lines or as a Server-Sent Event.
fn event_chunk(line: &crate::ops::events::EventLine, sse: bool) -> Result<Vec<u8>> {
    let json = serde_json::to_vec(line)
        .map_err(|e| Error::internal(format!("could not encode an event: {e}")))?;
    if !sse {
        let mut out = json;
        out.push(b'\n');
        return Ok(out);
    }
    let mut out = format!("id: {}\nevent: {}\ndata: ", line.cursor, line.event).into_bytes();
    out.extend_from_slice(&json);
    out.extend_from_slice(b"\n\n");
    Ok(out)
}

fn event_response(body: Body, sse: bool) -> Response {
    let mut response = Response::new(body);
    let kind = if sse {
        "text/event-stream"
    } else {
        "application/x-ndjson"
    };
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

async fn events(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P1,
    query: QueryOf<EventsQuery>,
    headers: HeaderMap,
) -> JsonLinesReply<crate::ops::events::EventLine> {
    use crate::ops::events::{EventReader, PAGE, Since};
    if let Err(denied) = auth::require(&caller, Role::Read, "reading the event log") {
        return denied_response(denied).into();
    }
    let (Path(PipelinePath { pipeline }), Query(q)) = match (path, query) {
        (Ok(p), Ok(q)) => (p, q),
        (Err(r), _) => return bad_path(r).into(),
        (_, Err(r)) => return bad_query(r).into(),
    };
    let sse = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/event-stream"));
    let resume = q.after.clone().or_else(|| {
        headers
            .get("last-event-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    });
    let cursor = match resume.map(|text| text.parse::<EventCursor>()).transpose() {
        Ok(cursor) => cursor.unwrap_or(EventCursor::START),
        Err(e) => return error_response(&e).into(),
    };
    let since = q.since.map_or(Since::Start, Since::Seq);
    let limit = q.limit.unwrap_or(PAGE).clamp(1, PAGE);
    let mut reader = EventReader::new(&pipeline, cursor, since);
    if !q.follow.unwrap_or(false) {
        let stores = app.stores.clone();
        let page = app
            .blocking(move || {
                let store = stores.get(&pipeline)?;
                let mut lines = reader.next_page(store.as_ref())?;
                lines.truncate(limit);
                let mut body = Vec::new();
                for line in &lines {
                    body.extend(event_chunk(line, sse)?);
                }
                Ok(body)
            })
            .await;
        return match page {
            Ok(body) => event_response(Body::from(body), sse).into(),
            Err(e) => error_response(&e).into(),
        };
    }
    let Ok(permit) = app.event_streams.clone().try_acquire_owned() else {
        return error_response(
            &Error::unavailable("the server has as many event streams open as it allows")
                .with_hint("try again shortly, or read pages without `follow`"),
        )
        .into();
    };
    // Fails now, as an error answer, if the pipeline cannot be opened.
    let store = match app
        .blocking({
            let stores = app.stores.clone();
            let pipeline = pipeline.clone();
            move || stores.get(&pipeline)
        })
        .await
    {
        Ok(store) => store,
        Err(e) => return error_response(&e).into(),
    };
    let (chunks, receiver) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(4);
    tokio::spawn(async move {
        let _permit = permit;
        let deadline = tokio::time::Instant::now() + crate::server::limits::EVENT_STREAM_LIFETIME;
        let mut quiet_since = tokio::time::Instant::now();
        while tokio::time::Instant::now() < deadline && !chunks.is_closed() {
            let store = store.clone();
            let read = app
                .blocking(move || {
                    let lines = reader.next_page(store.as_ref())?;
                    let mut body = Vec::new();
                    for line in &lines {
                        body.extend(event_chunk(line, sse)?);
                    }
                    Ok((reader, body))
                })
                .await;
            let body = match read {
                Ok((back, body)) => {
                    reader = back;
                    body
                }
                Err(e) => {
                    tracing::warn!(error = %e.message, "an event stream was cut off");
                    let _ = chunks.send(Err(std::io::Error::other(e.message))).await;
                    return;
                }
            };
            if !body.is_empty() {
                quiet_since = tokio::time::Instant::now();
                if chunks.send(Ok(Bytes::from(body))).await.is_err() {
                    return;
                }
                continue;
            }
            if quiet_since.elapsed() >= EVENT_HEARTBEAT {
                quiet_since = tokio::time::Instant::now();
                let beat: &'static [u8] = if sse { b": heartbeat\n\n" } else { b"\n" };
                if chunks.send(Ok(Bytes::from_static(beat))).await.is_err() {
                    return;
                }
            }
            tokio::time::sleep(EVENT_POLL).await;
        }
    });
    let stream = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|chunk| (chunk, receiver))
    });
    event_response(Body::from_stream(stream), sse).into()
}
