//! Game rounds: score games (red envelopes, memory flip) and quizzes. The
//! server starts a round (`game/start`, which spends nothing) and accepts its
//! end once (`game/finish`), judged on the server's clock: too fast, too late,
//! too high or scored faster than a person can is rejected for good (2011).
//! A quiz is scored by the server from the answers. A plausible round spends
//! one chance through the draw machinery under the idempotency key
//! `game-<round_id>`: a passing score draws from the prizes, a lower one is
//! "thanks".
//!
//! Finishing is safe against retries, crashes and concurrent requests on any
//! number of instances: the first plausible finish *claims* the round (its
//! score and verdict are written while the round is still open, guarded by
//! `score IS NULL`); every finish of a claimed round then runs the draw under
//! the same key (one draw at most, by the draws' unique key) and marks the
//! round done only after the draw exists. A refused draw (no chances left,
//! the partner busy) leaves the round claimed and open, so a later finish
//! completes it with the score first claimed. A done round answers the same
//! result again.

use axum::Router;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::HeaderMap;
use axum::routing::post;
use huodong_shared::ErrorCode;
use huodong_shared::api::{ActivityKind, GameFinish, GameResult, GameRound, QuizQuestionView};
use huodong_shared::open::GameRules;

use crate::activities::model::Activity;
use crate::activities::validate::is_game;
use crate::db::now_secs;
use crate::draw::{self, Forced, activity_for, current_chances, today};
use crate::error::{ApiJson, ApiResult, AppError, Reply};
use crate::on_db;
use crate::partner::{self, now_ms};
use crate::risk;
use crate::session::Player;
use crate::state::AppState;

/// Seconds after a round's duration within which its end is still accepted
/// (network, a slow phone).
pub const GRACE_SECS: i64 = 30;

/// Routes of game rounds.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/activities/{id}/game/start", post(start))
        .route("/api/v1/activities/{id}/game/finish", post(finish))
}

/// The game settings of a game activity; 1001 for any other kind.
fn game_of(activity: &Activity) -> Result<&GameRules, AppError> {
    match (is_game(activity.kind), activity.rules.game.as_ref()) {
        (true, Some(game)) => Ok(game),
        _ => Err(AppError::with_msg(
            ErrorCode::Validation,
            "该活动不是游戏或答题活动",
        )),
    }
}

/// `POST /api/v1/activities/{id}/game/start`: a new round, refused as a draw
/// would be (window, rate limits, blacklist, condition, chances left) but
/// spending nothing. Any body (or none) is accepted.
async fn start(
    State(state): State<AppState>,
    player: Player,
    Path(public_id): Path<String>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
) -> ApiResult<GameRound> {
    let ip = risk::client_ip(&headers, peer, state.config.trust_x_forwarded_for);
    let activity = activity_for(&state, &player, &public_id).await?;
    let game = game_of(&activity)?;
    let now = now_secs();
    activity.check_open(now)?;
    state.limiters.check(player.player_id, ip)?;
    risk::check_blacklist(&state, activity.id, &player.u_id, &ip.to_string()).await?;
    partner::check_condition(&state, &activity, &player).await?;
    let day = today(&activity, now);
    if !current_chances(&state.db, &activity, player.player_id, day)
        .await?
        .any()
    {
        return Err(AppError::code(ErrorCode::NoChancesLeft));
    }
    let round_id = crate::ids::random_hex(16);
    let seed: u32 = rand::random();
    on_db!(&state.db, pool => {
        sqlx::query(
            "INSERT INTO game_rounds (id, activity_id, player_id, seed, started_ms, state, draw_key) \
             VALUES ($1, $2, $3, $4, $5, 'open', $6)",
        )
        .bind(&round_id)
        .bind(activity.id)
        .bind(player.player_id)
        .bind(i64::from(seed))
        .bind(now_ms())
        .bind(draw_key(&round_id))
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(Reply(GameRound {
        round_id,
        duration_secs: game.duration_secs,
        pass_score: game.pass_score,
        max_score: game.max_score,
        seed,
        questions: game
            .questions
            .iter()
            .map(|q| QuizQuestionView {
                text: q.text.clone(),
                options: q.options.clone(),
            })
            .collect(),
    }))
}

/// The idempotency key of the draw a round spends.
pub fn draw_key(round_id: &str) -> String {
    format!("game-{round_id}")
}

/// What the server makes of a round's end.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// A plausible score: it counts.
    Counts(i64),
    /// Not plausible; why, for the player.
    Rejected(&'static str),
}

/// Judges a round's end `elapsed_ms` after its start (server clock): a quiz
/// is scored from `answers` (the client's `score` is ignored); then the time
/// and the score must be plausible. A malformed quiz answer list is 1001
/// (the round stays open).
pub fn judge(
    kind: ActivityKind,
    game: &GameRules,
    input: &GameFinish,
    elapsed_ms: i64,
) -> Result<Verdict, AppError> {
    let score = if kind == ActivityKind::Quiz {
        let count = game.questions.len();
        if input.answers.len() != count {
            return Err(AppError::with_msg(
                ErrorCode::Validation,
                format!("answers: 须为每道题给出一个答案（共 {count} 道）"),
            ));
        }
        let mut right = 0;
        for (i, (question, &answer)) in game.questions.iter().zip(&input.answers).enumerate() {
            if answer >= question.options.len() {
                return Err(AppError::with_msg(
                    ErrorCode::Validation,
                    format!("answers[{i}]: 没有这个选项"),
                ));
            }
            right += i64::from(answer == question.answer);
        }
        right
    } else {
        input.score
    };
    let verdict = if elapsed_ms < game.min_secs.saturating_mul(1000) {
        Verdict::Rejected("用时过短")
    } else if elapsed_ms > (game.duration_secs + GRACE_SECS).saturating_mul(1000) {
        Verdict::Rejected("超出时间")
    } else if score < 0 {
        Verdict::Rejected("得分无效")
    } else if score > game.max_score {
        Verdict::Rejected("得分超出上限")
    } else if i128::from(score) * 1000
        > i128::from(game.max_rate) * (i128::from(elapsed_ms.max(0)) + 1000)
    {
        // At most `max_rate` a second, counting one second in the player's favour.
        Verdict::Rejected("得分速度超出常人")
    } else {
        Verdict::Counts(score)
    };
    Ok(verdict)
}

#[derive(Debug, sqlx::FromRow)]
struct RoundRow {
    activity_id: i64,
    player_id: i64,
    started_ms: i64,
    score: Option<i64>,
    passed: Option<bool>,
    state: String,
    reason: Option<String>,
    draw_key: String,
}

async fn load_round(state: &AppState, round_id: &str) -> Result<Option<RoundRow>, AppError> {
    Ok(on_db!(&state.db, pool => {
        sqlx::query_as(
            "SELECT activity_id, player_id, started_ms, score, passed, state, reason, draw_key \
             FROM game_rounds WHERE id = $1",
        )
        .bind(round_id)
        .fetch_optional(pool)
        .await
    })?)
}

/// Claims an open, unclaimed round with its score; whether this request did.
async fn claim(
    state: &AppState,
    round_id: &str,
    at: i64,
    score: i64,
    passed: bool,
) -> Result<bool, AppError> {
    let changed = on_db!(&state.db, pool => {
        sqlx::query(
            "UPDATE game_rounds SET finished_ms = $1, score = $2, passed = $3 \
             WHERE id = $4 AND state = 'open' AND score IS NULL",
        )
        .bind(at)
        .bind(score)
        .bind(passed)
        .bind(round_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(changed == 1)
}

/// Rejects an open, unclaimed round for good; whether this request did.
async fn reject(state: &AppState, round_id: &str, at: i64, reason: &str) -> Result<bool, AppError> {
    let changed = on_db!(&state.db, pool => {
        sqlx::query(
            "UPDATE game_rounds SET finished_ms = $1, state = 'rejected', reason = $2 \
             WHERE id = $3 AND state = 'open' AND score IS NULL",
        )
        .bind(at)
        .bind(reason)
        .bind(round_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    Ok(changed == 1)
}

/// Marks a claimed round done, once its draw exists.
async fn mark_done(state: &AppState, round_id: &str) -> Result<(), AppError> {
    on_db!(&state.db, pool => {
        sqlx::query(
            "UPDATE game_rounds SET state = 'done' WHERE id = $1 AND state = 'open' AND score IS NOT NULL",
        )
        .bind(round_id)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// `POST /api/v1/activities/{id}/game/finish`: the round's end, once. A
/// second finish of a done round answers the same result; of a rejected
/// round, 2011 again.
async fn finish(
    State(state): State<AppState>,
    player: Player,
    Path(public_id): Path<String>,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    ApiJson(input): ApiJson<GameFinish>,
) -> ApiResult<GameResult> {
    let ip = risk::client_ip(&headers, peer, state.config.trust_x_forwarded_for);
    let activity = activity_for(&state, &player, &public_id).await?;
    let game = game_of(&activity)?;
    let round_id = input.round_id.trim();
    let not_found = || AppError::not_found("游戏回合");
    if round_id.is_empty() || round_id.len() > 64 {
        return Err(not_found());
    }
    // A few passes at most: each lost race moves the round one state on.
    for _ in 0..4 {
        let round = load_round(&state, round_id)
            .await?
            .filter(|r| r.activity_id == activity.id && r.player_id == player.player_id)
            .ok_or_else(not_found)?;
        match (round.state.as_str(), round.score, round.passed) {
            ("rejected", ..) => return Err(rejected(round.reason.as_deref().unwrap_or(""))),
            ("done", Some(score), Some(passed)) => {
                let draw = draw::replay_by_key(&state, &activity, &player, &round.draw_key)
                    .await?
                    .ok_or_else(|| {
                        AppError::Internal(anyhow::anyhow!(
                            "round {round_id} is done without its draw"
                        ))
                    })?;
                return Ok(Reply(GameResult {
                    score,
                    passed,
                    draw,
                }));
            }
            ("open", Some(score), Some(passed)) => {
                // Claimed (by this request or an earlier one): draw, then done.
                let forced = (!passed).then_some(Forced::Nothing);
                let draw = draw::perform(
                    &state,
                    activity.clone(),
                    &player,
                    &round.draw_key,
                    ip,
                    forced,
                )
                .await?
                .0;
                mark_done(&state, round_id).await?;
                return Ok(Reply(GameResult {
                    score,
                    passed,
                    draw,
                }));
            }
            ("open", None, _) => {
                let at = now_ms();
                match judge(activity.kind, game, &input, at - round.started_ms)? {
                    Verdict::Rejected(reason) => {
                        if reject(&state, round_id, at, reason).await? {
                            return Err(rejected(reason));
                        }
                    }
                    Verdict::Counts(score) => {
                        let passed = score >= game.pass_score;
                        claim(&state, round_id, at, score, passed).await?;
                    }
                }
                // Claimed or rejected, by this request or a concurrent one: look again.
            }
            _ => {
                return Err(AppError::Internal(anyhow::anyhow!(
                    "round {round_id} is in an unknown state {}",
                    round.state
                )));
            }
        }
    }
    Err(AppError::code(ErrorCode::Conflict))
}

fn rejected(reason: &str) -> AppError {
    AppError::with_msg(
        ErrorCode::GameRejected,
        format!("本局成绩无效（{reason}），未能计入"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use huodong_shared::open::QuizQuestion;

    fn envelopes() -> GameRules {
        GameRules {
            duration_secs: 20,
            min_secs: 15,
            pass_score: 20,
            max_score: 60,
            max_rate: 4,
            questions: vec![],
        }
    }

    fn finish(score: i64, answers: Vec<usize>) -> GameFinish {
        GameFinish {
            round_id: "r".into(),
            score,
            answers,
        }
    }

    #[test]
    fn scores_must_be_plausible_on_the_server_clock() {
        let g = envelopes();
        let k = ActivityKind::RedEnvelope;
        let check = |score, ms| judge(k, &g, &finish(score, vec![]), ms).expect("judged");
        assert_eq!(check(30, 16_000), Verdict::Counts(30));
        assert_eq!(check(30, 14_999), Verdict::Rejected("用时过短"));
        assert_eq!(check(30, 50_000), Verdict::Counts(30), "within the grace");
        assert_eq!(check(30, 50_001), Verdict::Rejected("超出时间"));
        assert_eq!(check(-1, 16_000), Verdict::Rejected("得分无效"));
        assert_eq!(check(61, 20_000), Verdict::Rejected("得分超出上限"));
        // 4 a second: 15.5 s plus one second in the player's favour is 66.
        let fast = GameRules {
            max_score: 1000,
            ..envelopes()
        };
        let j = |score, ms| judge(k, &fast, &finish(score, vec![]), ms).expect("judged");
        assert_eq!(j(66, 15_500), Verdict::Counts(66));
        assert_eq!(j(67, 15_500), Verdict::Rejected("得分速度超出常人"));
    }

    #[test]
    fn a_quiz_is_scored_from_its_answers() {
        let q = |answer| QuizQuestion {
            text: "?".into(),
            options: vec!["a".into(), "b".into(), "c".into()],
            answer,
        };
        let g = GameRules {
            duration_secs: 60,
            min_secs: 0,
            pass_score: 2,
            max_score: 3,
            max_rate: 1,
            questions: vec![q(0), q(1), q(2)],
        };
        let k = ActivityKind::Quiz;
        assert_eq!(
            judge(k, &g, &finish(999, vec![0, 1, 0]), 5_000).expect("judged"),
            Verdict::Counts(2),
            "the sent score is ignored"
        );
        assert!(judge(k, &g, &finish(0, vec![0, 1]), 5_000).is_err());
        assert!(judge(k, &g, &finish(0, vec![0, 1, 3]), 5_000).is_err());
        // One a second: three right answers need two seconds (plus one).
        assert_eq!(
            judge(k, &g, &finish(0, vec![0, 1, 2]), 1_999).expect("judged"),
            Verdict::Rejected("得分速度超出常人")
        );
    }
}
