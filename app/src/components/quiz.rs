//! 答题: the activity's questions one at a time; the server scores the
//! answers, and enough right answers earn a draw.

use leptos::prelude::*;

use crate::components::play::Game;
use crate::components::round::{self, Current};
use crate::i18n::{english, t};
use crate::pages::activity::Play;

/// The quiz.
#[component]
pub fn Quiz(play: Play) -> impl IntoView {
    let rules = play.activity.rules.game.clone().unwrap_or_default();
    let game = Game::new(play);
    let current: Current = RwSignal::new(None);
    let answers = RwSignal::new(Vec::<usize>::new());
    // The public rules leave the questions out (a round hands them out):
    // a quiz's max score is its number of questions.
    let intro = if english() {
        format!(
            "{} questions; {} right answers earn a draw. You have {} seconds.",
            rules.max_score, rules.pass_score, rules.duration_secs
        )
    } else {
        format!(
            "共 {} 题，答对 {} 题即可抽奖，限时 {} 秒。",
            rules.max_score, rules.pass_score, rules.duration_secs
        )
    };
    let choose = move |option: usize| {
        if game.busy.get_untracked() {
            return;
        }
        answers.update(|a| a.push(option));
        let total = current.with_untracked(|r| r.as_ref().map_or(0, |r| r.questions.len()));
        let given = answers.with_untracked(Vec::len);
        if given >= total {
            round::finish(game, current, 0, answers.get_untracked());
            answers.set(Vec::new());
        }
    };

    let board = move || match current.get() {
        None => round::start_panel(game, current, intro.clone()).into_any(),
        Some(r) => {
            let at = answers
                .with(Vec::len)
                .min(r.questions.len().saturating_sub(1));
            let q = r.questions[at].clone();
            let progress = if english() {
                format!("Question {} of {}", at + 1, r.questions.len())
            } else {
                format!("第 {} / {} 题", at + 1, r.questions.len())
            };
            view! {
                <div class="quiz-card" data-testid="question" data-index=at>
                    <p class="quiz-progress">{progress}</p>
                    <h3 class="quiz-question" id="quiz-question">{q.text}</h3>
                    <div class="quiz-options" role="group" aria-labelledby="quiz-question">
                        {q.options.into_iter().enumerate().map(|(i, text)| view! {
                            <button class="quiz-option" type="button" data-testid="option" data-option=i
                                disabled=move || game.busy.get()
                                on:click=move |_| choose(i)>
                                <span class="quiz-letter" aria-hidden="true">{char::from(b'A' + i as u8).to_string()}</span>
                                <span>{text}</span>
                            </button>
                        }).collect_view()}
                    </div>
                </div>
            }
            .into_any()
        }
    };
    game.frame(
        "quiz-game",
        t("答题", "Quiz"),
        view! { <div class="round-board">{board}</div> }.into_any(),
        None,
        true,
    )
}
