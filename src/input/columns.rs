//! Finding the canonical columns in a file's header: by name from a synonym list
//! (English and Chinese, case-, space- and punctuation-insensitive), or explicitly
//! with `--map canonical=Source` / `[columns]`.

use std::collections::BTreeMap;
use std::fmt;

use crate::error::TieringError;

/// A column the order pipeline understands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Canonical {
    /// Who bought.
    CustomerId,
    /// Which order a line belongs to.
    OrderId,
    /// When.
    OrderDate,
    /// Line amount (money); negative lines are returns.
    Amount,
    /// Goods and fulfilment cost of the line (money).
    Cost,
    /// Units on the line; with `UnitPrice`, gives the amount when there is no amount column.
    Quantity,
    /// Price per unit (money, up to 4 more decimals than the currency).
    UnitPrice,
    /// Order or payment status, classified include / exclude (DESIGN §3a).
    Status,
    /// Money refunded on the order (nets as a return).
    Refund,
    /// The currency of the amounts.
    Currency,
}

impl Canonical {
    /// Every canonical column, in output order.
    pub const ALL: [Canonical; 10] = [
        Canonical::CustomerId,
        Canonical::OrderId,
        Canonical::OrderDate,
        Canonical::Amount,
        Canonical::Cost,
        Canonical::Quantity,
        Canonical::UnitPrice,
        Canonical::Status,
        Canonical::Refund,
        Canonical::Currency,
    ];

    /// The name used in `--map`, config and output.
    pub fn name(self) -> &'static str {
        match self {
            Canonical::CustomerId => "customer_id",
            Canonical::OrderId => "order_id",
            Canonical::OrderDate => "order_date",
            Canonical::Amount => "amount",
            Canonical::Cost => "cost",
            Canonical::Quantity => "quantity",
            Canonical::UnitPrice => "unit_price",
            Canonical::Status => "status",
            Canonical::Refund => "refund",
            Canonical::Currency => "currency",
        }
    }

    /// Parse a canonical name as written by a user.
    pub fn from_name(name: &str) -> Option<Canonical> {
        let wanted = normalise(name);
        Canonical::ALL
            .into_iter()
            .find(|c| normalise(c.name()) == wanted)
    }

    /// Header names recognised for this column, most specific first, already normalised.
    fn synonyms(self) -> &'static [&'static str] {
        match self {
            Canonical::CustomerId => &[
                "customerid",
                "customerno",
                "customernumber",
                "customercode",
                "customer",
                "custid",
                "custno",
                "clientid",
                "clientno",
                "client",
                "accountid",
                "accountno",
                "account",
                "buyerid",
                "buyer",
                "memberid",
                "member",
                "userid",
                "客户id",
                "客户编号",
                "客户编码",
                "客户代码",
                "客户号",
                "会员id",
                "会员编号",
                "会员卡号",
                "用户id",
                "买家id",
                "客户",
                "客户名称",
                "会员",
                "买家",
                "customeremail",
                "buyeremail",
                "billingemail",
                "email",
                "emailaddress",
                "邮箱",
                "买家手机号",
                "手机号",
            ],
            Canonical::OrderId => &[
                "orderid",
                "orderno",
                "ordernumber",
                "ordercode",
                "order",
                "invoiceid",
                "invoiceno",
                "invoicenumber",
                "invoice",
                "transactionid",
                "transaction",
                "txnid",
                "receiptno",
                "documentno",
                "订单号",
                "订单编号",
                "订单id",
                "单号",
                "单据编号",
                "销售单号",
                "发票号",
                "交易号",
                "订单",
            ],
            Canonical::OrderDate => &[
                "orderdate",
                "invoicedate",
                "transactiondate",
                "purchasedate",
                "saledate",
                "orderdatetime",
                "ordertime",
                "createdat",
                "date",
                "订单日期",
                "下单日期",
                "下单时间",
                "交易日期",
                "销售日期",
                "单据日期",
                "订单时间",
                "开票日期",
                "日期",
            ],
            Canonical::Amount => &[
                "amount",
                "revenue",
                "sales",
                "netamount",
                "totalamount",
                "orderamount",
                "ordertotal",
                "linetotal",
                "lineamount",
                "salesamount",
                "total",
                "value",
                "金额",
                "销售额",
                "销售金额",
                "订单金额",
                "实付金额",
                "成交金额",
                "总金额",
                "含税金额",
                "应收金额",
                "合计",
            ],
            Canonical::Cost => &[
                "cost",
                "costamount",
                "totalcost",
                "linecost",
                "cogs",
                "成本",
                "成本金额",
                "销售成本",
            ],
            Canonical::Quantity => &[
                "quantity",
                "qty",
                "units",
                "unitssold",
                "数量",
                "销售数量",
                "件数",
            ],
            Canonical::UnitPrice => &[
                "unitprice",
                "price",
                "priceperunit",
                "saleprice",
                "单价",
                "销售单价",
                "价格",
            ],
            Canonical::Status => &[
                "orderstatus",
                "status",
                "financialstatus",
                "paymentstatus",
                "transactionstatus",
                "dealstage",
                "stage",
                "订单状态",
                "交易状态",
                "付款状态",
                "状态",
                "bestellstatus",
                "belegstatus",
            ],
            Canonical::Refund => &[
                "refundedamount",
                "amountrefunded",
                "refundamount",
                "orderrefundamount",
                "refunds",
                "refunded",
                "退款金额",
                "退款",
                "已退款金额",
                "erstattungsbetrag",
            ],
            Canonical::Currency => &[
                "currency",
                "currencycode",
                "ordercurrency",
                "币种",
                "货币",
                "währung",
            ],
        }
    }
}

impl fmt::Display for Canonical {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Lower-case letters and digits only (any script), so `Customer ID`, `customer_id`
/// and `CUSTOMER-ID` compare equal.
pub fn normalise(name: &str) -> String {
    name.trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Explicit `canonical -> source header` choices (from `--map` and `[columns]`).
pub type ExplicitMap = BTreeMap<Canonical, String>;

/// Parse `customer_id=Kunde,amount=Umsatz`.
pub fn parse_map_arg(text: &str) -> Result<ExplicitMap, TieringError> {
    let mut map = ExplicitMap::new();
    for pair in text.split(',').filter(|p| !p.trim().is_empty()) {
        let Some((canonical, source)) = pair.split_once('=') else {
            return Err(TieringError::usage(
                format!("`--map {pair}` is not of the form canonical=SourceColumn"),
                Some("example: --map customer_id=Kunde,amount=Umsatz".into()),
            ));
        };
        let key = canonical_from_user(canonical)?;
        map.insert(key, source.trim().to_string());
    }
    Ok(map)
}

/// A canonical name from a user, with a suggestion when it is misspelled.
pub fn canonical_from_user(name: &str) -> Result<Canonical, TieringError> {
    Canonical::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = Canonical::ALL.iter().map(|c| c.name()).collect();
        let hint = match crate::suggest::closest(name.trim(), names.iter().copied()) {
            Some(near) => format!("did you mean `{near}`? columns are {}", names.join(", ")),
            None => format!("columns are {}", names.join(", ")),
        };
        TieringError::usage(
            format!("unknown canonical column `{}`", name.trim()),
            Some(hint),
        )
    })
}

/// Where each canonical column sits in one file's header.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ColumnMapping {
    /// Index into the header for each column found.
    pub index: BTreeMap<Canonical, usize>,
    /// The header as read.
    pub header: Vec<String>,
}

impl ColumnMapping {
    /// Index of a column, if present.
    pub fn get(&self, column: Canonical) -> Option<usize> {
        self.index.get(&column).copied()
    }

    /// Header names that no canonical column uses.
    pub fn unused(&self) -> Vec<&str> {
        self.header
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.index.values().any(|v| v == i))
            .map(|(_, h)| h.as_str())
            .collect()
    }

    /// `customer_id ← 客户ID` lines for `-v` and `check`.
    pub fn describe(&self) -> Vec<String> {
        self.index
            .iter()
            .map(|(c, &i)| format!("{:<12} ← {}", c.name(), self.header[i]))
            .collect()
    }
}

/// Decide the mapping for `header`, failing when a required column is not found.
pub fn detect(
    file: &str,
    header: &[String],
    explicit: &ExplicitMap,
    required: &[Canonical],
    wanted: &[Canonical],
) -> Result<ColumnMapping, TieringError> {
    let normalised: Vec<String> = header.iter().map(|h| normalise(h)).collect();
    let mut mapping = ColumnMapping {
        index: BTreeMap::new(),
        header: header.to_vec(),
    };
    // Every missing column is reported at once: (canonical, mapped source, closest).
    let mut missing: Vec<(Canonical, Option<String>, Option<String>)> = Vec::new();
    for (&canonical, source) in explicit {
        if !wanted.contains(&canonical) || source.trim().is_empty() {
            // `--map amount=` unsets a column: not mapped, and not detected either.
            continue;
        }
        let position = header
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == source)
            .or_else(|| normalised.iter().position(|h| *h == normalise(source)));
        match position {
            Some(i) => {
                mapping.index.insert(canonical, i);
            }
            None => missing.push((
                canonical,
                Some(source.clone()),
                crate::suggest::closest(source, header.iter().map(String::as_str))
                    .map(str::to_string),
            )),
        }
    }
    for &canonical in wanted {
        if mapping.index.contains_key(&canonical) || explicit.contains_key(&canonical) {
            continue;
        }
        let taken: Vec<usize> = mapping.index.values().copied().collect();
        let found = canonical.synonyms().iter().find_map(|synonym| {
            normalised
                .iter()
                .enumerate()
                .find(|(i, h)| h.as_str() == *synonym && !taken.contains(i))
                .map(|(i, _)| i)
        });
        if let Some(i) = found {
            mapping.index.insert(canonical, i);
        }
    }
    for &canonical in required {
        if !mapping.index.contains_key(&canonical) && !missing.iter().any(|m| m.0 == canonical) {
            let unused = mapping.unused();
            missing.push((
                canonical,
                None,
                crate::suggest::closest(canonical.name(), unused.iter().copied())
                    .map(str::to_string),
            ));
        }
    }
    if let Some((first, rest)) = missing.split_first() {
        let also: Vec<(String, String)> = rest
            .iter()
            .map(|(canonical, source, closest)| {
                let hint = match (source, closest) {
                    (Some(source), Some(near)) => {
                        format!("no column `{source}`; nearest is `{near}`")
                    }
                    (Some(source), None) => format!("no column `{source}`"),
                    (None, Some(near)) => format!("map it with --map {canonical}={near}"),
                    (None, None) => format!("map it with --map {canonical}=<header name>"),
                };
                (canonical.name().to_string(), hint)
            })
            .collect();
        return Err(TieringError::MissingColumn {
            file: file.to_string(),
            column: first.0.name().to_string(),
            mapped_to: first.1.clone(),
            header: Box::new(crate::error::HeaderSeen {
                found: header.to_vec(),
                also,
            }),
            closest: first.2.clone(),
        });
    }
    Ok(mapping)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    const ORDERS: [Canonical; 3] = [
        Canonical::CustomerId,
        Canonical::OrderDate,
        Canonical::Amount,
    ];

    #[test]
    fn finds_english_and_chinese_headers() {
        let m = detect(
            "f",
            &header(&["Order No.", "Customer ID", "Order Date", "Total"]),
            &ExplicitMap::new(),
            &ORDERS,
            &Canonical::ALL,
        )
        .unwrap();
        assert_eq!(m.get(Canonical::OrderId), Some(0));
        assert_eq!(m.get(Canonical::CustomerId), Some(1));
        assert_eq!(m.get(Canonical::Amount), Some(3));
        let m = detect(
            "f",
            &header(&["订单号", "客户ID", "订单日期", "金额", "成本"]),
            &ExplicitMap::new(),
            &ORDERS,
            &Canonical::ALL,
        )
        .unwrap();
        assert_eq!(m.get(Canonical::CustomerId), Some(1));
        assert_eq!(m.get(Canonical::OrderDate), Some(2));
        assert_eq!(m.get(Canonical::Cost), Some(4));
    }

    #[test]
    fn explicit_map_wins_and_missing_columns_are_named() {
        let explicit = parse_map_arg("customer_id=Kunde,amount=Umsatz").unwrap();
        let m = detect(
            "f",
            &header(&["Kunde", "Datum", "Umsatz", "date"]),
            &explicit,
            &ORDERS,
            &Canonical::ALL,
        )
        .unwrap();
        assert_eq!(m.get(Canonical::Amount), Some(2));
        assert_eq!(m.get(Canonical::OrderDate), Some(3));
        let err = detect(
            "f",
            &header(&["client", "when", "total"]),
            &ExplicitMap::new(),
            &ORDERS,
            &Canonical::ALL,
        )
        .unwrap_err();
        assert!(err.to_string().contains("order_date"), "{err}");
        assert!(parse_map_arg("amout=x").is_err());
    }
}
