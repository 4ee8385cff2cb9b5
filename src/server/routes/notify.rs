//! A pipeline's notifications on the team server: the targets' delivery state and
//! parked events, and resending those (with the server's secrets, which the CLI never
//! sees).

#![allow(clippy::result_large_err)]

use super::*;
use crate::store::ParkedEvent;
use crate::store::wire::{NotifyStatus, RetriedParked, RetryParked};

pub(super) fn routes(p: &str) -> ApiRouter<App> {
    ApiRouter::new()
        .api_route(
            &format!("{p}/notify"),
            get_with(status, |op| {
                op.id("notifyStatus")
                    .tag("ledger")
                    .summary(
                        "Each notify target's delivery cursor and failures, and the parked events",
                    )
                    .with(needs(Role::Read))
            }),
        )
        .api_route(
            &format!("{p}/notify/retry"),
            post_with(retry, |op| {
                op.id("notifyRetry")
                    .tag("ledger")
                    .summary("Resend parked events now (all, one target's, or the `seq`s given)")
                    .with(needs(Role::Operator))
            }),
        )
}

async fn status(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P1,
) -> Reply<NotifyStatus> {
    let Path(PipelinePath { pipeline }) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r).into(),
    };
    read(&app, &caller, pipeline, "reading notification state", |s| {
        Ok(NotifyStatus {
            targets: s.notify_states()?,
            parked: s.parked_events(None)?,
        })
    })
    .await
}

async fn retry(
    State(app): State<App>,
    Extension(caller): Extension<Caller>,
    path: P1,
    body: JsonBody<RetryParked>,
) -> Reply<RetriedParked> {
    if let Err(denied) = auth::require(&caller, Role::Operator, "resending parked notifications") {
        return denied_response(denied).into();
    }
    let Path(PipelinePath { pipeline }) = match path {
        Ok(p) => p,
        Err(r) => return bad_path(r).into(),
    };
    let request: RetryParked = match body_bytes(body.raw).and_then(|b| parse_body(&b)) {
        Ok(request) => request,
        Err(response) => return response.into(),
    };
    let (stores, registry) = (app.stores.clone(), app.registry.clone());
    let done = app
        .blocking(move || {
            let registered = registry.get(&pipeline, &stores)?;
            let store = stores.get(&pipeline)?;
            let parked: Vec<ParkedEvent> = store
                .parked_events(request.target.as_deref())?
                .into_iter()
                .filter(|p| request.seqs.is_empty() || request.seqs.contains(&p.seq))
                .collect();
            if let Some(missing) = request
                .seqs
                .iter()
                .find(|s| !parked.iter().any(|p| p.seq == **s))
            {
                return Err(Error::not_found(format!("event {missing} is not parked")));
            }
            let mut notifier = crate::ops::notify::Notifier::new(&registered.pipeline, &|v| {
                std::env::var(v).ok()
            })?;
            let (delivered, parked) = notifier.retry(store.as_ref(), &parked)?;
            Ok(RetriedParked { delivered, parked })
        })
        .await;
    match done {
        Ok(value) => ok_json(&value),
        Err(e) => failed(&e),
    }
}
