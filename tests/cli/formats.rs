//! Every output format and report renderer on one small hand-checked export, as inline
//! snapshots (hyperfine's export tests are the model): a change to any format shows as a
//! diff here. The numbers were checked by hand (testdata/README.md, `formats/`): Smith
//! 120.50 + 79.50 = 200.00 (A, 74.07% of 270.00), 王芳 50.00 at a cost of 60.00 (A, the
//! customer crossing 80%, loss-making), `say "hi"` 20.00 (B, crossing 95%), `=SUM(A1)`
//! bought 30.00 and returned it in a later order (C, revenue 0.00, returns 30.00).

use crate::support::tiering;

const ARGS: [&str; 7] = [
    "testdata/formats/orders.csv",
    "--config",
    "testdata/formats/tiering.toml",
    "--lang",
    "en",
    "--as-of",
    "2024-06-30",
];

/// stdout of `tiering COMMAND ARGS EXTRA`, the version masked.
fn run(command: &str, extra: &[&str]) -> String {
    let output = tiering()
        .arg(command)
        .args(ARGS)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap().replace(
        concat!("tiering ", env!("CARGO_PKG_VERSION")),
        "tiering [VERSION]",
    )
}

fn score(extra: &[&str]) -> String {
    run("score", extra)
}

fn report(extra: &[&str]) -> String {
    run("report", extra)
}

/// The HTML report from the reconciliation to the tier table (the charts that follow are
/// SVG, checked in tests/cli/report.rs).
fn html_head() -> String {
    let html = report(&["--format", "html"]);
    let start = html.find("<section id=\"reconciliation\">").unwrap();
    let table = html.find("<table id=\"tier-table\">").unwrap();
    let end = table + html[table..].find("</table>").unwrap() + "</table>".len();
    html[start..end].to_string()
}

#[test]
fn score_csv() {
    insta::assert_snapshot!(score(&["--format", "csv"]), @r##"
customer_id,first_order_date,last_order_date,recency_days,tenure_days,orders,revenue,returns,cost,profit,aov,pareto_rank,pareto_value,cum_value,cum_share,abc_class,upgrade_candidate,loss_making,tier_id,tier,strategy,as_of
'=SUM(A1),2024-05-01,2024-05-01,60,60,1,0.00,30.00,0.00,0.00,0.00,4,0.00,270.00,1,C,false,false,C,C,Serve,2024-06-30
"Smith, J",2024-06-01,2024-06-20,10,29,2,200.00,0.00,30.00,170.00,100.00,1,200.00,200.00,0.740741,A,false,false,A,A,Protect,2024-06-30
"say ""hi""",2024-06-25,2024-06-25,5,5,1,20.00,0.00,5.00,15.00,20.00,3,20.00,270.00,1,B,true,false,B,B,Develop,2024-06-30
王芳,2024-06-10,2024-06-10,20,20,1,50.00,0.00,60.00,-10.00,50.00,2,50.00,250.00,0.925926,A,false,true,A,A,Protect,2024-06-30
"##);
}

#[test]
fn score_tsv() {
    insta::assert_snapshot!(score(&["--format", "tsv"]), @r##"
customer_id	first_order_date	last_order_date	recency_days	tenure_days	orders	revenue	returns	cost	profit	aov	pareto_rank	pareto_value	cum_value	cum_share	abc_class	upgrade_candidate	loss_making	tier_id	tier	strategy	as_of
'=SUM(A1)	2024-05-01	2024-05-01	60	60	1	0.00	30.00	0.00	0.00	0.00	4	0.00	270.00	1	C	false	false	C	C	Serve	2024-06-30
Smith, J	2024-06-01	2024-06-20	10	29	2	200.00	0.00	30.00	170.00	100.00	1	200.00	200.00	0.740741	A	false	false	A	A	Protect	2024-06-30
"say ""hi"""	2024-06-25	2024-06-25	5	5	1	20.00	0.00	5.00	15.00	20.00	3	20.00	270.00	1	B	true	false	B	B	Develop	2024-06-30
王芳	2024-06-10	2024-06-10	20	20	1	50.00	0.00	60.00	-10.00	50.00	2	50.00	250.00	0.925926	A	false	true	A	A	Protect	2024-06-30
"##);
}

#[test]
fn score_json() {
    insta::assert_snapshot!(score(&["--format", "json"]), @r##"
[
{"customer_id":"=SUM(A1)","first_order_date":"2024-05-01","last_order_date":"2024-05-01","recency_days":60,"tenure_days":60,"orders":1,"revenue":0.00,"returns":30.00,"cost":0.00,"profit":0.00,"aov":0.00,"pareto_rank":4,"pareto_value":0.00,"cum_value":270.00,"cum_share":1,"abc_class":"C","upgrade_candidate":false,"loss_making":false,"tier_id":"C","tier":"C","strategy":"Serve","as_of":"2024-06-30"},
{"customer_id":"Smith, J","first_order_date":"2024-06-01","last_order_date":"2024-06-20","recency_days":10,"tenure_days":29,"orders":2,"revenue":200.00,"returns":0.00,"cost":30.00,"profit":170.00,"aov":100.00,"pareto_rank":1,"pareto_value":200.00,"cum_value":200.00,"cum_share":0.740741,"abc_class":"A","upgrade_candidate":false,"loss_making":false,"tier_id":"A","tier":"A","strategy":"Protect","as_of":"2024-06-30"},
{"customer_id":"say \"hi\"","first_order_date":"2024-06-25","last_order_date":"2024-06-25","recency_days":5,"tenure_days":5,"orders":1,"revenue":20.00,"returns":0.00,"cost":5.00,"profit":15.00,"aov":20.00,"pareto_rank":3,"pareto_value":20.00,"cum_value":270.00,"cum_share":1,"abc_class":"B","upgrade_candidate":true,"loss_making":false,"tier_id":"B","tier":"B","strategy":"Develop","as_of":"2024-06-30"},
{"customer_id":"王芳","first_order_date":"2024-06-10","last_order_date":"2024-06-10","recency_days":20,"tenure_days":20,"orders":1,"revenue":50.00,"returns":0.00,"cost":60.00,"profit":-10.00,"aov":50.00,"pareto_rank":2,"pareto_value":50.00,"cum_value":250.00,"cum_share":0.925926,"abc_class":"A","upgrade_candidate":false,"loss_making":true,"tier_id":"A","tier":"A","strategy":"Protect","as_of":"2024-06-30"}
]
"##);
}

#[test]
fn score_ndjson() {
    insta::assert_snapshot!(score(&["--format", "ndjson"]), @r##"
{"customer_id":"=SUM(A1)","first_order_date":"2024-05-01","last_order_date":"2024-05-01","recency_days":60,"tenure_days":60,"orders":1,"revenue":0.00,"returns":30.00,"cost":0.00,"profit":0.00,"aov":0.00,"pareto_rank":4,"pareto_value":0.00,"cum_value":270.00,"cum_share":1,"abc_class":"C","upgrade_candidate":false,"loss_making":false,"tier_id":"C","tier":"C","strategy":"Serve","as_of":"2024-06-30"}
{"customer_id":"Smith, J","first_order_date":"2024-06-01","last_order_date":"2024-06-20","recency_days":10,"tenure_days":29,"orders":2,"revenue":200.00,"returns":0.00,"cost":30.00,"profit":170.00,"aov":100.00,"pareto_rank":1,"pareto_value":200.00,"cum_value":200.00,"cum_share":0.740741,"abc_class":"A","upgrade_candidate":false,"loss_making":false,"tier_id":"A","tier":"A","strategy":"Protect","as_of":"2024-06-30"}
{"customer_id":"say \"hi\"","first_order_date":"2024-06-25","last_order_date":"2024-06-25","recency_days":5,"tenure_days":5,"orders":1,"revenue":20.00,"returns":0.00,"cost":5.00,"profit":15.00,"aov":20.00,"pareto_rank":3,"pareto_value":20.00,"cum_value":270.00,"cum_share":1,"abc_class":"B","upgrade_candidate":true,"loss_making":false,"tier_id":"B","tier":"B","strategy":"Develop","as_of":"2024-06-30"}
{"customer_id":"王芳","first_order_date":"2024-06-10","last_order_date":"2024-06-10","recency_days":20,"tenure_days":20,"orders":1,"revenue":50.00,"returns":0.00,"cost":60.00,"profit":-10.00,"aov":50.00,"pareto_rank":2,"pareto_value":50.00,"cum_value":250.00,"cum_share":0.925926,"abc_class":"A","upgrade_candidate":false,"loss_making":true,"tier_id":"A","tier":"A","strategy":"Protect","as_of":"2024-06-30"}
"##);
}

#[test]
fn score_md() {
    insta::assert_snapshot!(score(&["--format", "md"]), @r##"
| customer_id | first_order_date | last_order_date | recency_days | tenure_days | orders | revenue | returns | cost | profit | aov | pareto_rank | pareto_value | cum_value | cum_share | abc_class | upgrade_candidate | loss_making | tier_id | tier | strategy | as_of |
| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | --- | --- | --- | --- | --- |
| =SUM(A1) | 2024-05-01 | 2024-05-01 | 60 | 60 | 1 | 0.00 | 30.00 | 0.00 | 0.00 | 0.00 | 4 | 0.00 | 270.00 | 1 | C | false | false | C | C | Serve | 2024-06-30 |
| Smith, J | 2024-06-01 | 2024-06-20 | 10 | 29 | 2 | 200.00 | 0.00 | 30.00 | 170.00 | 100.00 | 1 | 200.00 | 200.00 | 0.740741 | A | false | false | A | A | Protect | 2024-06-30 |
| say "hi" | 2024-06-25 | 2024-06-25 | 5 | 5 | 1 | 20.00 | 0.00 | 5.00 | 15.00 | 20.00 | 3 | 20.00 | 270.00 | 1 | B | true | false | B | B | Develop | 2024-06-30 |
| 王芳 | 2024-06-10 | 2024-06-10 | 20 | 20 | 1 | 50.00 | 0.00 | 60.00 | -10.00 | 50.00 | 2 | 50.00 | 250.00 | 0.925926 | A | false | true | A | A | Protect | 2024-06-30 |
"##);
}

#[test]
fn score_table() {
    insta::assert_snapshot!(score(&["--format", "table"]), @r##"
pareto · as of 2024-06-30 · 4 customers · cuts 80%, 95% of revenue
┌───────┬───────────┬───────┬─────────┬───────────────┬────────────────────┬────────────┬────────┬──────────┐
│ Class ┆ Customers ┆ Share ┆ Revenue ┆ Revenue share ┆ Avg recency (days) ┆ Avg orders ┆ Effort ┆ Strategy │
╞═══════╪═══════════╪═══════╪═════════╪═══════════════╪════════════════════╪════════════╪════════╪══════════╡
│ A     ┆         2 ┆ 50.0% ┆  250.00 ┆         92.6% ┆                 15 ┆        1.5 ┆    44% ┆ Protect  │
│ B     ┆         1 ┆ 25.0% ┆   20.00 ┆          7.4% ┆                  5 ┆        1.0 ┆    33% ┆ Develop  │
│ C     ┆         1 ┆ 25.0% ┆    0.00 ┆          0.0% ┆                 60 ┆        1.0 ┆    22% ┆ Serve    │
└───────┴───────────┴───────┴─────────┴───────────────┴────────────────────┴────────────┴────────┴──────────┘
"##);
}

#[test]
fn report_md() {
    insta::assert_snapshot!(report(&["--format", "md"]), @r##"
# Customer tier report

As of: **2024-06-30** · Scorer: pareto (cuts 80%, 95% of revenue) · Customers: 4

## Reconciliation

✓ reconciles: customers, orders and net revenue equal the input's

|  | Customers | Orders | Revenue |
| --- | ---: | ---: | ---: |
| Input (up to the as-of date) | 4 | 5 | 270.00 |
| Report | 4 | 5 | 270.00 |

6 order lines read · 0 dated after the as-of date (ignored) · 0 bad lines set aside · 1 not a purchase: returned in full or a credit note · 0 customers only in the customer export

## Data warnings

- Only 4 customers have purchases; tiers on fewer than 50 customers change with every order. Read them as a rough sort.
- The orders cover only 56 days (2024-05-01 to 2024-06-25); recency and frequency need a longer history (at least 90 days).
- 3 of 4 customers (75%) bought only once; frequency separates few of them.
- 1 customer has negative profit (cost above revenue); look at their prices and cost-to-serve.

## Tiers

| Tier | Customers | Share of customers | Revenue | Share of revenue | Profit | Share of profit | Margin | Orders | Avg order value | Avg recency (days) | Suggested effort | Strategy |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |
| A | 2 | 50.0% | 250.00 | 92.6% | 160.00 | 91.4% | 64.0% | 3 | 83.33 | 15.0 | 44.4% | Protect |
| B | 1 | 25.0% | 20.00 | 7.4% | 15.00 | 8.6% | 75.0% | 1 | 20.00 | 5.0 | 33.3% | Develop |
| C | 1 | 25.0% | 0.00 | 0.0% | 0.00 | 0.0% |  | 1 | 0.00 | 60.0 | 22.2% | Serve |
| None | 0 | 0.0% | 0.00 | 0.0% | 0.00 | 0.0% |  | 0 |  |  |  | Qualify |
| Total | 4 | 100.0% | 270.00 | 100.0% | 175.00 | 100.0% | 64.8% | 5 | 54.00 | 23.8 |  |  |

## Migration

Migration is not available: no earlier tiers were given (use --previous FILE or --compare-as-of DATE).

## Strategies

| Tier | Suggested effort | Strategy |
| --- | ---: | --- |
| A | 44.4% | Protect |
| B | 33.3% | Develop |
| C | 22.2% | Serve |
| None |  | Qualify |

## Settings

| Setting | Value |
| --- | --- |
| As of | 2024-06-30 |
| Scorer | pareto |
| Options | cuts 80%, 95% of revenue |
| Language | en |
| Currency decimals | 2 |
| Input files | testdata/formats/orders.csv (csv, 6 rows, 0 bad) |
| order lines read | 6 |
| bad lines set aside | 0 |
| Generator | tiering [VERSION] |

---
tiering [VERSION]
"##);
}

#[test]
fn report_json() {
    insta::assert_snapshot!(report(&["--format", "json"]), @r##"
{
  "generator": "tiering [VERSION]",
  "as_of": "2024-06-30",
  "scorer": "pareto",
  "scorer_options": "cuts 80%, 95% of revenue",
  "lang": "en",
  "currency_decimals": 2,
  "inputs": [
    {
      "file": "testdata/formats/orders.csv",
      "format": "csv",
      "rows": 6,
      "bad_rows": 0
    }
  ],
  "customer_export": null,
  "reconciliation": {
    "against": "order_lines",
    "lines_read": 6,
    "lines_after_as_of": 0,
    "lines_rejected": 0,
    "lines_excluded_by_status": 0,
    "lines_excluded_by_currency": 0,
    "non_purchase_orders": 1,
    "customers_only_in_export": 0,
    "input": {
      "customers": 4,
      "orders": 5,
      "revenue": 270.00
    },
    "report": {
      "customers": 4,
      "orders": 5,
      "revenue": 270.00
    },
    "matches": true
  },
  "tiers": [
    {
      "id": "A",
      "name": "A",
      "customers": 2,
      "customer_share": 0.5,
      "revenue": 250.00,
      "revenue_share": 0.9259259259259259,
      "profit": 160.00,
      "profit_share": 0.9142857142857143,
      "margin": 0.64,
      "orders": 3,
      "aov": 83.33,
      "avg_recency_days": 15.0,
      "effort_share": 0.4444444444444444,
      "budget": null,
      "roi": null,
      "strategy": "Protect"
    },
    {
      "id": "B",
      "name": "B",
      "customers": 1,
      "customer_share": 0.25,
      "revenue": 20.00,
      "revenue_share": 0.07407407407407407,
      "profit": 15.00,
      "profit_share": 0.08571428571428572,
      "margin": 0.75,
      "orders": 1,
      "aov": 20.00,
      "avg_recency_days": 5.0,
      "effort_share": 0.3333333333333333,
      "budget": null,
      "roi": null,
      "strategy": "Develop"
    },
    {
      "id": "C",
      "name": "C",
      "customers": 1,
      "customer_share": 0.25,
      "revenue": 0.00,
      "revenue_share": 0.0,
      "profit": 0.00,
      "profit_share": 0.0,
      "margin": null,
      "orders": 1,
      "aov": 0.00,
      "avg_recency_days": 60.0,
      "effort_share": 0.2222222222222222,
      "budget": null,
      "roi": null,
      "strategy": "Serve"
    },
    {
      "id": "no_purchase",
      "name": "None",
      "customers": 0,
      "customer_share": 0.0,
      "revenue": 0.00,
      "revenue_share": 0.0,
      "profit": 0.00,
      "profit_share": 0.0,
      "margin": null,
      "orders": 0,
      "aov": null,
      "avg_recency_days": null,
      "effort_share": null,
      "budget": null,
      "roi": null,
      "strategy": "Qualify"
    }
  ],
  "totals": {
    "id": "total",
    "name": "Total",
    "customers": 4,
    "customer_share": 1.0,
    "revenue": 270.00,
    "revenue_share": 1.0,
    "profit": 175.00,
    "profit_share": 1.0,
    "margin": 0.6481481481481481,
    "orders": 5,
    "aov": 54.00,
    "avg_recency_days": 23.75,
    "effort_share": null,
    "budget": null,
    "roi": null,
    "strategy": ""
  },
  "migration": {
    "status": "unavailable",
    "reason": "Migration is not available: no earlier tiers were given (use --previous FILE or --compare-as-of DATE)."
  },
  "breakdowns": [],
  "history": null,
  "warnings": [
    {
      "code": "few_customers",
      "message": "Only 4 customers have purchases; tiers on fewer than 50 customers change with every order. Read them as a rough sort."
    },
    {
      "code": "short_range",
      "message": "The orders cover only 56 days (2024-05-01 to 2024-06-25); recency and frequency need a longer history (at least 90 days)."
    },
    {
      "code": "one_order_customers",
      "message": "3 of 4 customers (75%) bought only once; frequency separates few of them."
    },
    {
      "code": "negative_profit",
      "message": "1 customer has negative profit (cost above revenue); look at their prices and cost-to-serve."
    }
  ],
  "settings": [
    {
      "name": "As of",
      "value": "2024-06-30"
    },
    {
      "name": "Scorer",
      "value": "pareto"
    },
    {
      "name": "Options",
      "value": "cuts 80%, 95% of revenue"
    },
    {
      "name": "Language",
      "value": "en"
    },
    {
      "name": "Currency decimals",
      "value": "2"
    },
    {
      "name": "Input files",
      "value": "testdata/formats/orders.csv (csv, 6 rows, 0 bad)"
    },
    {
      "name": "order lines read",
      "value": "6"
    },
    {
      "name": "bad lines set aside",
      "value": "0"
    },
    {
      "name": "Generator",
      "value": "tiering [VERSION]"
    }
  ],
  "customers": [
{"customer_id":"=SUM(A1)","first_order_date":"2024-05-01","last_order_date":"2024-05-01","recency_days":60,"tenure_days":60,"orders":1,"revenue":0.00,"returns":30.00,"cost":0.00,"profit":0.00,"aov":0.00,"pareto_rank":4,"pareto_value":0.00,"cum_value":270.00,"cum_share":1,"abc_class":"C","upgrade_candidate":false,"loss_making":false,"tier_id":"C","tier":"C","strategy":"Serve","as_of":"2024-06-30"},
{"customer_id":"Smith, J","first_order_date":"2024-06-01","last_order_date":"2024-06-20","recency_days":10,"tenure_days":29,"orders":2,"revenue":200.00,"returns":0.00,"cost":30.00,"profit":170.00,"aov":100.00,"pareto_rank":1,"pareto_value":200.00,"cum_value":200.00,"cum_share":0.740741,"abc_class":"A","upgrade_candidate":false,"loss_making":false,"tier_id":"A","tier":"A","strategy":"Protect","as_of":"2024-06-30"},
{"customer_id":"say \"hi\"","first_order_date":"2024-06-25","last_order_date":"2024-06-25","recency_days":5,"tenure_days":5,"orders":1,"revenue":20.00,"returns":0.00,"cost":5.00,"profit":15.00,"aov":20.00,"pareto_rank":3,"pareto_value":20.00,"cum_value":270.00,"cum_share":1,"abc_class":"B","upgrade_candidate":true,"loss_making":false,"tier_id":"B","tier":"B","strategy":"Develop","as_of":"2024-06-30"},
{"customer_id":"王芳","first_order_date":"2024-06-10","last_order_date":"2024-06-10","recency_days":20,"tenure_days":20,"orders":1,"revenue":50.00,"returns":0.00,"cost":60.00,"profit":-10.00,"aov":50.00,"pareto_rank":2,"pareto_value":50.00,"cum_value":250.00,"cum_share":0.925926,"abc_class":"A","upgrade_candidate":false,"loss_making":true,"tier_id":"A","tier":"A","strategy":"Protect","as_of":"2024-06-30"}
]
}
"##);
}

#[test]
fn report_html() {
    insta::assert_snapshot!(html_head(), @r##"
<section id="reconciliation">
<h2>Reconciliation</h2>
<p class="ok" id="reconciliation-line">✓ reconciles: customers, orders and net revenue equal the input&#39;s</p>
<table id="reconciliation-table">
<thead><tr><th></th><th>Customers</th><th>Orders</th><th>Revenue</th></tr></thead>
<tbody>
<tr><td>Input (up to the as-of date)</td><td class="num">4</td><td class="num">5</td><td class="num">270.00</td></tr>
<tr><td>Report</td><td class="num">4</td><td class="num">5</td><td class="num">270.00</td></tr>
</tbody>
</table>
<p class="meta">6 order lines read · 0 dated after the as-of date (ignored) · 0 bad lines set aside · 1 not a purchase: returned in full or a credit note · 0 customers only in the customer export</p>
</section>
<section id="warnings">
<h2>Data warnings</h2>
<ul class="warnings">
<li data-code="few_customers">Only 4 customers have purchases; tiers on fewer than 50 customers change with every order. Read them as a rough sort.</li>
<li data-code="short_range">The orders cover only 56 days (2024-05-01 to 2024-06-25); recency and frequency need a longer history (at least 90 days).</li>
<li data-code="one_order_customers">3 of 4 customers (75%) bought only once; frequency separates few of them.</li>
<li data-code="negative_profit">1 customer has negative profit (cost above revenue); look at their prices and cost-to-serve.</li>
</ul>
</section>
<section id="tiers">
<h2>Tiers</h2>
<table id="tier-table">
<thead><tr><th>Tier</th><th>Customers</th><th>Share of customers</th><th>Revenue</th><th>Share of revenue</th><th>Profit</th><th>Share of profit</th><th>Margin</th><th>Orders</th><th>Avg order value</th><th>Avg recency (days)</th><th>Suggested effort</th><th>Strategy</th></tr></thead>
<tbody>
<tr><td>A</td><td class="num">2</td><td class="num">50.0%</td><td class="num">250.00</td><td class="num">92.6%</td><td class="num">160.00</td><td class="num">91.4%</td><td class="num">64.0%</td><td class="num">3</td><td class="num">83.33</td><td class="num">15.0</td><td class="num">44.4%</td><td>Protect</td></tr>
<tr><td>B</td><td class="num">1</td><td class="num">25.0%</td><td class="num">20.00</td><td class="num">7.4%</td><td class="num">15.00</td><td class="num">8.6%</td><td class="num">75.0%</td><td class="num">1</td><td class="num">20.00</td><td class="num">5.0</td><td class="num">33.3%</td><td>Develop</td></tr>
<tr><td>C</td><td class="num">1</td><td class="num">25.0%</td><td class="num">0.00</td><td class="num">0.0%</td><td class="num">0.00</td><td class="num">0.0%</td><td></td><td class="num">1</td><td class="num">0.00</td><td class="num">60.0</td><td class="num">22.2%</td><td>Serve</td></tr>
<tr><td>None</td><td class="num">0</td><td class="num">0.0%</td><td class="num">0.00</td><td class="num">0.0%</td><td class="num">0.00</td><td class="num">0.0%</td><td></td><td class="num">0</td><td></td><td></td><td></td><td>Qualify</td></tr>
<tr class="total"><td>Total</td><td class="num">4</td><td class="num">100.0%</td><td class="num">270.00</td><td class="num">100.0%</td><td class="num">175.00</td><td class="num">100.0%</td><td class="num">64.8%</td><td class="num">5</td><td class="num">54.00</td><td class="num">23.8</td><td></td><td></td></tr>
</tbody>
</table>
"##);
}
