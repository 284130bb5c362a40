//! `/a/:id/rules`: the public rules page every activity has — prizes,
//! quantities, probabilities, chances and the time window.

use leptos::prelude::*;

use crate::api;
use crate::components::prize_list::PrizeList;
use crate::components::status::{ErrorBox, Loading};
use crate::i18n::{english, t};
use huodong_shared::format::datetime_cn;

/// The rules of one activity.
#[component]
pub fn RulesPage(id: String) -> impl IntoView {
    let activity = api::load(async move { api::activity(&id).await });
    move || match activity.get() {
        None => view! { <Loading /> }.into_any(),
        Some(Ok(a)) => {
            crate::theme::apply(&a.theme);
            let chances = match a.rules.chances_total {
                Some(total) if english() => format!(
                    "{} a day per player, {} in all",
                    a.rules.chances_per_day, total
                ),
                Some(total) => format!(
                    "每人每天 {} 次，活动期间共 {} 次",
                    a.rules.chances_per_day, total
                ),
                None if english() => format!("{} a day per player", a.rules.chances_per_day),
                None => format!("每人每天 {} 次", a.rules.chances_per_day),
            };
            let fairness = a.fair_commitment.clone().map(|c| view! {
                            <section class="panel">
                                <h2>{t("公平性承诺", "Fairness commitment")}</h2>
                                <p>{t("活动开始前公布服务端种子的 SHA-256：", "SHA-256 of the server seed, published before the start:")}</p>
                                <p class="mono" data-testid="commitment">{c}</p>
                                <p>{match a.fair_seed.clone() {
                                    Some(seed) if english() => format!("The activity has ended; the seed is {seed}. Anyone can recompute every draw."),
                                    Some(seed) => format!("活动已结束，种子已公开：{seed}。任何人都可以重算每一次抽奖。"),
                                    None => t("活动结束后公开种子，届时任何人都可以重算每一次抽奖。", "The seed is published when the activity ends; anyone can then recompute every draw.").to_owned(),
                                }}</p>
                            </section>
                        });
            view! {
                            <article class="rules">
                                <header class="hero">
                                    <span class="badge">{t("活动规则", "Rules")}</span>
                                    <h1 data-testid="rules-title">{a.title.clone()}</h1>
                                </header>
                                <section class="panel">
                                    <h2>{t("活动时间", "When")}</h2>
                                    <p>{format!("{} – {} {}", datetime_cn(a.starts_at), datetime_cn(a.ends_at), t("（北京时间）", "(UTC+8)"))}</p>
                                    <h2>{t("参与次数", "Chances")}</h2>
                                    <p data-testid="rules-chances">{chances}</p>
                                </section>
                                <PrizeList prizes=a.prizes />
                                <section class="panel">
                                    <h2>{t("说明", "How it works")}</h2>
                                    <ul class="notes">
                                        <li>{t("每次抽奖的结果由服务器使用密码学安全的随机数决定，并记录抽奖时的概率。", "Every draw is decided on the server by a cryptographically secure random number and recorded with its odds.")}</li>
                                        <li>{t("某奖品库存发完后，抽中该奖品的概率归入「谢谢参与」，其他奖品的概率不变。", "When a prize runs out, its chance goes to \"thanks\"; the other prizes keep their odds.")}</li>
                                        <li>{t("活动开始后，奖品、数量与概率不再修改。", "Once the activity starts, prizes, quantities and odds cannot change.")}</li>
                                    </ul>
                                </section>
                                {fairness}
                                <p class="back"><a class="button" href=format!("/a/{}", a.id)>{t("返回活动", "Back to the activity")}</a></p>
                            </article>
                        }.into_any()
        }
        Some(Err(error)) => view! { <ErrorBox error /> }.into_any(),
    }
}
