//! The OpenAPI document, `GET /api/v1/openapi.json`, generated from the
//! code: the schemas are the shared types' (`utoipa::ToSchema`, feature
//! `openapi` of `huodong-shared`), the operations the handlers'
//! `#[utoipa::path]`s. A modifier adds what every call shares: the signed
//! fields of an open-API body, the `{code, msg, result}` envelope around
//! each answer, the error envelope, and the console's bearer token.
//!
//! The player API's handlers live in their domains; their operations are
//! described in [`player`] here. `tests/tests/api/openapi.rs` checks the
//! document against the route tables the routers are built from
//! ([`crate::open::endpoints`], [`crate::console::routes`]).

use std::sync::LazyLock;

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use utoipa::openapi::path::Operation;
use utoipa::openapi::schema::{AllOfBuilder, ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::server::Server;
use utoipa::openapi::{Ref, RefOr, ResponseBuilder};
use utoipa::{Modify, OpenApi, ToSchema};

use crate::state::AppState;

/// The fields every open-API body carries besides its own; `sign` is
/// HMAC-SHA256 over the canonical string of the body (see the README).
#[derive(ToSchema)]
#[allow(dead_code)]
struct SignedFields {
    /// The partner's app id.
    app_id: String,
    /// Unix seconds; refused when more than 300 s away (7101).
    timestamp: i64,
    /// 1 to 64 characters, never used twice within the window (7102).
    nonce: String,
    /// Lowercase hex HMAC-SHA256 (7100 when wrong).
    sign: String,
}

/// A refusal: a non-zero `code` (see `shared/src/codes.rs`), a message that
/// may be shown to the player, and `result: ""`.
#[derive(ToSchema)]
#[allow(dead_code)]
struct ErrorEnvelope {
    /// The error code.
    code: i32,
    /// What went wrong (the field at fault for 1000 and 1001).
    msg: String,
    /// Always `""`.
    result: String,
}

/// The whole document.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Huodong 活动 runtime",
        description = "The open API (partner → runtime, signed), the merchant console API and the player API. \
                       Every JSON answer is the envelope {\"code\", \"msg\", \"result\"}: code 0 with the result, \
                       or an error code with a message."
    ),
    paths(
        crate::open::activity::create,
        crate::open::activity::update,
        crate::open::activity::publish,
        crate::open::activity::end,
        crate::open::activity::get,
        crate::open::user::ticket,
        crate::live::host_link,
        crate::open::task::complete,
        crate::risk::blacklist,
        crate::risk::list,
        crate::partner::config,
        crate::partner::coupons,
        crate::open::data::records,
        crate::open::data::stats,
        crate::open::merchant::create,
        crate::open::merchant::list,
        crate::open::merchant::console_ticket,
        crate::console::session,
        crate::console::me,
        crate::console::activities::list,
        crate::console::activities::create,
        crate::console::activities::get,
        crate::console::activities::update,
        crate::console::activities::publish,
        crate::console::activities::end,
        crate::console::activities::stats,
        crate::console::activities::records,
        crate::console::winners::list,
        crate::console::winners::export,
        crate::console::winners::csv,
        player::activities,
        player::activity,
        player::session,
        player::draw,
        player::me,
        player::share,
        player::checkin,
        player::makeup,
        player::game_start,
        player::game_finish,
        player::verify,
        player::public_draws,
        player::login,
        player::themes,
        player::ping,
        player::live_state,
        player::live_stream,
        player::live_join,
        player::live_start,
        player::live_stop,
        openapi_json,
    ),
    components(schemas(SignedFields, ErrorEnvelope)),
    modifiers(&Envelopes),
    tags(
        (name = "open", description = "The open API: POST /open/v1/<endpoint>, signed JSON bodies"),
        (name = "console", description = "The merchant console: Authorization: Bearer <token> from POST /api/v1/console/session"),
        (name = "player", description = "The player app: Authorization: Bearer <token> from POST /api/v1/session where marked"),
    )
)]
pub struct ApiDoc;

/// Adds the signed fields, the envelopes and the security schemes.
struct Envelopes;

fn envelope(result: RefOr<Schema>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .property("code", ObjectBuilder::new().schema_type(Type::Integer))
        .required("code")
        .property("msg", ObjectBuilder::new().schema_type(Type::String))
        .required("msg")
        .property("result", result)
        .required("result")
        .into()
}

fn wrap(operation: &mut Operation, signed: bool) {
    if signed && let Some(RefOr::T(body)) = operation.request_body.as_mut() {
        for content in body.content.values_mut() {
            if let RefOr::T(content) = content
                && let Some(schema) = content.schema.take()
            {
                content.schema = Some(
                    AllOfBuilder::new()
                        .item(Ref::from_schema_name("SignedFields"))
                        .item(schema)
                        .into(),
                );
            }
        }
    }
    for response in operation.responses.responses.values_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        if let Some(RefOr::T(content)) = response.content.get_mut("application/json")
            && let Some(schema) = content.schema.take()
        {
            content.schema = Some(envelope(schema));
            if response.description.is_empty() {
                response.description = "Success: code 0 and the result.".to_owned();
            }
        }
    }
    operation.responses.responses.insert(
        "default".to_owned(),
        ResponseBuilder::new()
            .description("A refusal: the error envelope (HTTP 200 for business refusals, 4xx/5xx otherwise).")
            .content(
                "application/json",
                utoipa::openapi::ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("ErrorEnvelope")))
                    .build(),
            )
            .build()
            .into(),
    );
}

impl Modify for Envelopes {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        for name in ["console_token", "player_token", "live_host_token"] {
            components.add_security_scheme(
                name,
                SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
            );
        }
        for (path, item) in openapi.paths.paths.iter_mut() {
            let signed = path.starts_with("/open/v1/");
            for (method, operation) in [("get", &mut item.get), ("post", &mut item.post)] {
                let Some(operation) = operation else { continue };
                // Handler names repeat across modules (`create`): name each
                // operation after its method and path instead.
                let words: Vec<&str> = path
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .filter(|w| !w.is_empty())
                    .collect();
                operation.operation_id = Some(format!("{method}_{}", words.join("_")));
                if path != "/api/v1/openapi.json" {
                    wrap(operation, signed);
                }
            }
        }
    }
}

static DOCUMENT: LazyLock<utoipa::openapi::OpenApi> = LazyLock::new(ApiDoc::openapi);

/// The document as this server serves it (with its public URL).
pub fn document(public_url: &str) -> utoipa::openapi::OpenApi {
    let mut doc = DOCUMENT.clone();
    doc.servers = Some(vec![Server::new(public_url)]);
    doc
}

/// `GET /api/v1/openapi.json`.
pub fn router() -> Router<AppState> {
    Router::new().route("/api/v1/openapi.json", get(openapi_json))
}

/// `GET /api/v1/openapi.json`: this document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "player",
    responses((status = 200, description = "The OpenAPI document (not in the envelope)", content_type = "application/json")))]
async fn openapi_json(State(state): State<AppState>) -> Response {
    match document(&state.config.public_url()).to_json() {
        Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(err) => crate::error::AppError::Internal(err.into()).into_response(),
    }
}

/// The player API's operations. Their handlers are in their domains
/// (`activities`, `session`, `draw`, `checkin`, `game`, `themes`); these
/// bodiless functions only carry the description.
#[allow(dead_code)]
mod player {
    use huodong_shared::api::{
        ActivitySummary, ActivityView, CheckinResult, DrawRequest, DrawResult, GameFinish,
        GameResult, GameRound, MakeupRequest, MyState, SessionInfo, SessionRequest,
    };
    use huodong_shared::theme::ThemeSummary;

    /// Published activities.
    #[utoipa::path(get, path = "/api/v1/activities", tag = "player",
        responses((status = 200, body = Vec<ActivitySummary>)))]
    pub fn activities() {}

    /// One activity: kind, window, theme, public rules, prizes (probability in ppm).
    #[utoipa::path(get, path = "/api/v1/activities/{id}", tag = "player",
        params(("id" = String, Path, description = "activity id")),
        responses((status = 200, body = ActivityView)))]
    pub fn activity() {}

    /// Exchanges a launch ticket (from `user/ticket`) for a player session (2005, 2006).
    #[utoipa::path(post, path = "/api/v1/session", tag = "player",
        request_body = SessionRequest, responses((status = 200, body = SessionInfo)))]
    pub fn session() {}

    /// One draw; a retry with the same key answers the same draw.
    #[utoipa::path(post, path = "/api/v1/activities/{id}/draw", tag = "player",
        security(("player_token" = [])), params(("id" = String, Path, description = "activity id")),
        request_body = DrawRequest, responses((status = 200, body = DrawResult)))]
    pub fn draw() {}

    /// The player's chances, prizes and check-in calendar.
    #[utoipa::path(get, path = "/api/v1/activities/{id}/me", tag = "player",
        security(("player_token" = [])), params(("id" = String, Path, description = "activity id")),
        responses((status = 200, body = MyState)))]
    pub fn me() {}

    /// Records a share (the host app shares).
    #[utoipa::path(post, path = "/api/v1/activities/{id}/share", tag = "player",
        security(("player_token" = [])), params(("id" = String, Path, description = "activity id")),
        responses((status = 200, body = serde_json::Value)))]
    pub fn share() {}

    /// Today's check-in (2007 when already checked in).
    #[utoipa::path(post, path = "/api/v1/activities/{id}/checkin", tag = "player",
        security(("player_token" = [])), params(("id" = String, Path, description = "activity id")),
        responses((status = 200, body = CheckinResult)))]
    pub fn checkin() {}

    /// A make-up check-in of a missed day, at the make-up cost.
    #[utoipa::path(post, path = "/api/v1/activities/{id}/checkin/makeup", tag = "player",
        security(("player_token" = [])), params(("id" = String, Path, description = "activity id")),
        request_body = MakeupRequest, responses((status = 200, body = CheckinResult)))]
    pub fn makeup() {}

    /// Starts a game round (quiz, red envelopes, memory flip).
    #[utoipa::path(post, path = "/api/v1/activities/{id}/game/start", tag = "player",
        security(("player_token" = [])), params(("id" = String, Path, description = "activity id")),
        responses((status = 200, body = GameRound)))]
    pub fn game_start() {}

    /// Finishes a game round; a plausible score spends a chance on a draw (2011 otherwise).
    #[utoipa::path(post, path = "/api/v1/activities/{id}/game/finish", tag = "player",
        security(("player_token" = [])), params(("id" = String, Path, description = "activity id")),
        request_body = GameFinish, responses((status = 200, body = GameResult)))]
    pub fn game_finish() {}

    /// Re-runs every draw of an ended provably-fair activity.
    #[utoipa::path(get, path = "/api/v1/activities/{id}/verify", tag = "player",
        params(("id" = String, Path, description = "activity id")),
        responses((status = 200, body = serde_json::Value)))]
    pub fn verify() {}

    /// The public draw record of an ended provably-fair activity.
    #[utoipa::path(get, path = "/api/v1/activities/{id}/draws", tag = "player",
        params(("id" = String, Path, description = "activity id"),
               ("after" = Option<i64>, Query, description = "the last draw id of the previous page")),
        responses((status = 200, body = serde_json::Value)))]
    pub fn public_draws() {}

    /// Sends a player without a session to the partner's login page.
    #[utoipa::path(get, path = "/api/v1/activities/{id}/login", tag = "player",
        params(("id" = String, Path, description = "activity id")),
        responses((status = 303, description = "to the partner's login_url")))]
    pub fn login() {}

    /// The themes an activity may wear.
    #[utoipa::path(get, path = "/api/v1/themes", tag = "player",
        responses((status = 200, body = Vec<ThemeSummary>)))]
    pub fn themes() {}

    /// A no-op answer (the benchmark's baseline).
    #[utoipa::path(get, path = "/api/v1/ping", tag = "player",
        responses((status = 200, body = String)))]
    pub fn ping() {}

    /// A live activity's screen state: phase, round, tiers, pool, join URL.
    #[utoipa::path(get, path = "/api/v1/live/{id}", tag = "player",
        params(("id" = String, Path, description = "activity id (kind live)")),
        responses((status = 200, body = huodong_shared::live::LiveState)))]
    pub fn live_state() {}

    /// The live push channel (Server-Sent Events; `Last-Event-ID` or `after` resumes).
    #[utoipa::path(get, path = "/api/v1/live/{id}/stream", tag = "player",
        params(("id" = String, Path, description = "activity id (kind live)"),
               ("after" = Option<i64>, Query, description = "resume after this event id")),
        responses((status = 200, content_type = "text/event-stream",
            description = "events pool, rolling, winners, stopped: see huodong_shared::live")))]
    pub fn live_stream() {}

    /// Joins the live activity's pool (opening it with a ticket already did).
    #[utoipa::path(post, path = "/api/v1/live/{id}/join", tag = "player",
        security(("player_token" = [])), params(("id" = String, Path, description = "activity id")),
        responses((status = 200, body = huodong_shared::live::PoolEvent)))]
    pub fn live_join() {}

    /// The host starts the names rolling (token from `live/host`).
    #[utoipa::path(post, path = "/api/v1/live/{id}/start", tag = "player",
        security(("live_host_token" = [])), params(("id" = String, Path, description = "activity id")),
        request_body = huodong_shared::live::LiveStart,
        responses((status = 200, body = huodong_shared::live::HostReply)))]
    pub fn live_start() {}

    /// The host stops: the server draws the winners (or `cancel`).
    #[utoipa::path(post, path = "/api/v1/live/{id}/stop", tag = "player",
        security(("live_host_token" = [])), params(("id" = String, Path, description = "activity id")),
        request_body = huodong_shared::live::LiveStop,
        responses((status = 200, body = huodong_shared::live::HostReply)))]
    pub fn live_stop() {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_ids_are_unique() {
        let doc = serde_json::to_value(ApiDoc::openapi()).expect("json");
        let mut ids: Vec<String> = Vec::new();
        for item in doc["paths"].as_object().expect("paths").values() {
            for operation in item.as_object().expect("item").values() {
                ids.push(operation["operationId"].as_str().expect("id").to_owned());
            }
        }
        let count = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), count);
        assert!(ids.contains(&"post_open_v1_activity_create".to_owned()));
    }

    #[test]
    fn open_bodies_carry_the_signed_fields_and_answers_the_envelope() {
        let doc = serde_json::to_value(ApiDoc::openapi()).expect("json");
        let create = &doc["paths"]["/open/v1/activity/create"]["post"];
        let body = &create["requestBody"]["content"]["application/json"]["schema"]["allOf"];
        assert_eq!(body[0]["$ref"], "#/components/schemas/SignedFields");
        assert_eq!(body[1]["$ref"], "#/components/schemas/CreateActivity");
        let ok = &create["responses"]["200"]["content"]["application/json"]["schema"];
        assert_eq!(
            ok["properties"]["result"]["$ref"],
            "#/components/schemas/ActivityInfo"
        );
        assert!(doc["components"]["schemas"]["Stats"].is_object());
    }
}
