//! 刮刮乐: a card under a silver coating. The first scratch asks the server
//! to draw; the prize lies under the coating, and once enough is scratched
//! away (45 %) the card is revealed. "直接刮开" does the same from the
//! keyboard or for players who prefer not to scratch.

use leptos::html::Canvas;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::CanvasRenderingContext2d;

use crate::api;
use crate::components::play::{Game, Outcome, press_key};
use crate::i18n::t;
use crate::pages::activity::Play;

/// Canvas size in CSS pixels.
const W: u32 = 300;
const H: u32 = 150;
/// Share of the coating that must be gone before the card is revealed.
const REVEAL_AT: f64 = 0.45;

fn context(canvas: &web_sys::HtmlCanvasElement) -> Option<CanvasRenderingContext2d> {
    canvas
        .get_context("2d")
        .ok()
        .flatten()?
        .dyn_into::<CanvasRenderingContext2d>()
        .ok()
}

/// A theme token's value (`--name` on `<html>`), or `fallback`.
fn token(name: &str, fallback: &str) -> String {
    web_sys::window()
        .and_then(|w| {
            let root = w.document()?.document_element()?;
            w.get_computed_style(&root).ok().flatten()
        })
        .and_then(|style| style.get_property_value(name).ok())
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| fallback.to_owned())
}

/// Paints the coating over the whole card, in the theme's colours.
fn coat(canvas: &web_sys::HtmlCanvasElement) {
    let Some(ctx) = context(canvas) else { return };
    ctx.set_global_composite_operation("source-over").ok();
    ctx.set_fill_style_str(&token("--scratch-cover", "#b9b9c3"));
    ctx.fill_rect(0.0, 0.0, f64::from(W), f64::from(H));
    ctx.set_fill_style_str(&token("--scratch-cover-line", "#8d8d99"));
    for i in 0..12 {
        ctx.fill_rect(f64::from(i * 26), 0.0, 2.0, f64::from(H));
    }
    ctx.set_fill_style_str(&token("--scratch-cover-text", "#ffffff"));
    ctx.set_font("bold 22px sans-serif");
    ctx.set_text_align("center");
    ctx.set_text_baseline("middle");
    ctx.fill_text(
        t("刮 一 刮", "Scratch here"),
        f64::from(W) / 2.0,
        f64::from(H) / 2.0,
    )
    .ok();
}

/// Scratches a 40 px stroke away from `from` to `to` (canvas pixels).
fn scratch(canvas: &web_sys::HtmlCanvasElement, from: (f64, f64), to: (f64, f64)) {
    let Some(ctx) = context(canvas) else { return };
    ctx.set_global_composite_operation("destination-out").ok();
    ctx.set_line_width(40.0);
    ctx.set_line_cap("round");
    ctx.begin_path();
    ctx.move_to(from.0, from.1);
    ctx.line_to(to.0, to.1);
    ctx.stroke();
}

/// Where a pointer event is on the canvas, in canvas pixels (the canvas may
/// be drawn smaller than its pixel size).
fn at(canvas: &web_sys::HtmlCanvasElement, ev: &web_sys::PointerEvent) -> (f64, f64) {
    let scale = f64::from(W) / f64::from(canvas.client_width().max(1));
    (
        f64::from(ev.offset_x()) * scale,
        f64::from(ev.offset_y()) * scale,
    )
}

/// The share of the coating scratched away (sampled).
fn cleared(canvas: &web_sys::HtmlCanvasElement) -> f64 {
    let Some(ctx) = context(canvas) else {
        return 0.0;
    };
    let Ok(image) = ctx.get_image_data(0.0, 0.0, f64::from(W), f64::from(H)) else {
        return 0.0;
    };
    let data = image.data();
    let (mut clear, mut total) = (0u32, 0u32);
    for alpha in data.iter().skip(3).step_by(4 * 7) {
        total += 1;
        clear += u32::from(*alpha == 0);
    }
    if total == 0 {
        0.0
    } else {
        f64::from(clear) / f64::from(total)
    }
}

/// The scratch card game.
#[component]
pub fn ScratchCard(play: Play) -> impl IntoView {
    let canvas = NodeRef::<Canvas>::new();
    let drawn = RwSignal::new(None::<Outcome>);
    let asked = RwSignal::new(false);
    let revealed = RwSignal::new(false);
    let scratching = RwSignal::new(false);
    let last = StoredValue::new((0.0_f64, 0.0_f64));
    let game = Game::new(play);

    Effect::new(move |_| {
        if let Some(el) = canvas.get() {
            coat(&el);
        }
    });

    // The draw, once per card, at the first touch.
    let ask = move || {
        if asked.get_untracked() || game.refuse_preview() {
            return;
        }
        asked.set(true);
        let (id, tok) = game.ids();
        leptos::task::spawn_local(async move {
            match api::draw(&id, &tok, press_key()).await {
                Ok(result) => drawn.set(Some(Outcome::Drawn(result))),
                Err(error) => {
                    // Nothing under the coating: say why and start over.
                    asked.set(false);
                    game.show(Outcome::Refused(error));
                    if let Some(el) = canvas.get_untracked() {
                        coat(&el);
                    }
                }
            }
        });
    };
    let reveal = move || {
        if revealed.get_untracked() {
            return;
        }
        if let Some(result) = drawn.get_untracked() {
            revealed.set(true);
            if let Some(el) = canvas.get_untracked()
                && let Some(ctx) = context(&el)
            {
                ctx.clear_rect(0.0, 0.0, f64::from(W), f64::from(H));
            }
            game.show(result);
        }
    };
    // Reveal once the answer is in and, when the finger lifts, enough is
    // scratched away — or at once after "直接刮开".
    let want_reveal = RwSignal::new(false);
    Effect::new(move |_| {
        let lifted = !scratching.get();
        let answered = drawn.get().is_some();
        if !answered || revealed.get_untracked() {
            return;
        }
        let enough = lifted
            && canvas
                .get_untracked()
                .is_some_and(|el| cleared(&el) >= REVEAL_AT);
        if want_reveal.get() || enough {
            reveal();
        }
    });

    let under = move || match drawn.get() {
        Some(Outcome::Drawn(result)) => match result.prize {
            Some(prize) => (t("恭喜中奖", "You won").to_owned(), prize.name),
            None => (
                t("谢谢参与", "No prize").to_owned(),
                t("下次好运", "Better luck next time").to_owned(),
            ),
        },
        _ => ("\u{a0}".to_owned(), "\u{a0}".to_owned()),
    };
    let new_card = move |_| {
        drawn.set(None);
        revealed.set(false);
        want_reveal.set(false);
        if let Some(el) = canvas.get_untracked() {
            coat(&el);
        }
    };

    let board = view! {
            <div class="scratch-card" data-testid="scratch-card">
                <div class="scratch-under" aria-live="polite">
                    <span class="scratch-title">{move || under().0}</span>
                    <strong class="scratch-prize">{move || under().1}</strong>
                </div>
                <canvas node_ref=canvas width=W height=H class="scratch-cover"
                    class:gone=move || revealed.get()
                    aria-hidden="true"
                    on:pointerdown=move |ev| {
                        if game.chances() == Some(0) && !asked.get_untracked() {
                            return;
                        }
                        scratching.set(true);
                        ask();
                        if let Some(el) = canvas.get_untracked() {
                            let p = at(&el, &ev);
                            scratch(&el, p, p);
                            last.set_value(p);
                        }
                    }
                    on:pointermove=move |ev| {
                        if scratching.get_untracked()
                            && let Some(el) = canvas.get_untracked()
                        {
                            let p = at(&el, &ev);
                            scratch(&el, last.get_value(), p);
                            last.set_value(p);
                        }
                    }
                    on:pointerup=move |_| scratching.set(false)
                    on:pointerleave=move |_| scratching.set(false)
                ></canvas>
            </div>
            <div class="scratch-actions">
                {move || if revealed.get() {
                    view! {
                        <button class="button" type="button" data-testid="new-card"
                            disabled=move || game.chances() == Some(0) on:click=new_card>{t("再刮一张", "New card")}</button>
                    }.into_any()
                } else {
                                        view! {
                        <button class="button secondary" type="button" data-testid="draw-button"
                            disabled=move || game.chances() == Some(0) && !asked.get()
                            on:click=move |_| {
                                want_reveal.set(true);
                                ask();
                            }>{t("直接刮开", "Reveal now")}</button>
                    }.into_any()
                }}
            </div>
    };
    game.frame(
        "scratch-game",
        t("刮刮乐", "Scratch card"),
        board.into_any(),
        None,
        true,
    )
}
