//! `/a/:id/rules`: the public rules page every activity has — prizes,
//! quantities, probabilities, chances and the time window.

use leptos::prelude::*;

use crate::api;
use crate::components::prize_list::PrizeList;
use crate::components::status::{ErrorBox, Loading};
use crate::format::datetime_cn;

/// The rules of one activity.
#[component]
pub fn RulesPage() -> impl IntoView {
    let activity = api::use_route_activity();
    view! {
        <Transition fallback=Loading>
            {move || Suspend::new(async move {
                match activity.await {
                    Ok(a) => {
                        let chances = match a.rules.chances_total {
                            Some(total) => format!("每人每天 {} 次，活动期间共 {} 次", a.rules.chances_per_day, total),
                            None => format!("每人每天 {} 次", a.rules.chances_per_day),
                        };
                        let fairness = a.fair_commitment.clone().map(|c| view! {
                            <section class="panel">
                                <h2>"公平性承诺"</h2>
                                <p>"活动开始前公布服务端种子的 SHA-256："</p>
                                <p class="mono" data-testid="commitment">{c}</p>
                                <p>{match a.fair_seed.clone() {
                                    Some(seed) => format!("活动已结束，种子已公开：{seed}。任何人都可以重算每一次抽奖。"),
                                    None => "活动结束后公开种子，届时任何人都可以重算每一次抽奖。".to_owned(),
                                }}</p>
                            </section>
                        });
                        view! {
                            <article class="rules">
                                <header class="hero">
                                    <span class="badge">"活动规则"</span>
                                    <h1 data-testid="rules-title">{a.title.clone()}</h1>
                                </header>
                                <section class="panel">
                                    <h2>"活动时间"</h2>
                                    <p>{format!("{} 至 {}（北京时间）", datetime_cn(a.starts_at), datetime_cn(a.ends_at))}</p>
                                    <h2>"参与次数"</h2>
                                    <p data-testid="rules-chances">{chances}</p>
                                </section>
                                <PrizeList prizes=a.prizes />
                                <section class="panel">
                                    <h2>"说明"</h2>
                                    <ul class="notes">
                                        <li>"每次抽奖的结果由服务器使用密码学安全的随机数决定，并记录抽奖时的概率。"</li>
                                        <li>"某奖品库存发完后，抽中该奖品的概率归入「谢谢参与」，其他奖品的概率不变。"</li>
                                        <li>"活动开始后，奖品、数量与概率不再修改。"</li>
                                    </ul>
                                </section>
                                {fairness}
                                <p class="back"><a class="button" href=format!("/a/{}", a.id)>"返回活动"</a></p>
                            </article>
                        }.into_any()
                    }
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Transition>
    }
}
