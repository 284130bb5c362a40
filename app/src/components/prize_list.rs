//! The prizes with their quantities and odds, as the rules require.

use huodong_shared::api::{PrizeKind, PrizeView};
use huodong_shared::open::ReleaseEvery;
use leptos::prelude::*;

use crate::i18n::{english, t};
use huodong_shared::format::odds;

/// A table of prizes: name, quantity, probability.
#[component]
pub fn PrizeList(prizes: Vec<PrizeView>) -> impl IntoView {
    view! {
        <section class="panel prizes" aria-labelledby="prizes-heading">
            <h2 id="prizes-heading">{t("奖品设置", "Prizes")}</h2>
            <ul data-testid="prize-list">
                {prizes.into_iter().map(|p| {
                    let mut quantity = match (p.kind, p.stock_total) {
                        (PrizeKind::Thanks, _) => "—".to_owned(),
                        (_, Some(n)) if english() => format!("{n}"),
                        (_, Some(n)) => format!("{n} 份"),
                        (_, None) => t("不限", "unlimited").to_owned(),
                    };
                    if let Some(plan) = p.release {
                        let every = match plan.every {
                            ReleaseEvery::Day => t("每天", "a day"),
                            ReleaseEvery::Hour => t("每小时", "an hour"),
                        };
                        if english() {
                            quantity.push_str(&format!(" ({} released {every})", plan.amount));
                        } else {
                            quantity.push_str(&format!("（{every}发放 {} 份）", plan.amount));
                        }
                    }
                    view! {
                        <li class="prize" data-kind=p.kind.as_str()>
                            <span class="prize-name">{p.name}</span>
                            <span class="prize-qty">{quantity}</span>
                            <span class="prize-odds">{odds(p.probability_ppm)}</span>
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}
