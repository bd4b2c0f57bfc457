# Report texts, English. Numbers arrive formatted; counts arrive as numbers for plurals.
report = Report
department = Marketing department
purpose = Purpose
scope = Scope
period = Period
compared-with = Compared with
generated = Generated
contents = Contents
page = Page
shared-note = A read-only copy shared by link. People's names and evaluation results are left out.
compare-previous = the previous period
compare-year = the same period a year before
compare-target = the target
section-summary = Summary
section-kpis = Key metrics
section-trends = Trends and drivers
section-channels = Channels and campaigns
section-people = People
section-problems = Problem areas
section-swot = SWOT
section-competitors = Competitors
section-evaluation = Evaluation results
table-drivers = Drivers
table-anomalies = Anomalies
table-channels = Channels
table-campaigns = Campaigns
col-metric = Metric
col-now = This period
col-previous = Previous period
col-year = A year before
col-target = Target
col-change = Change
col-significance = Significance
col-channel = Channel
col-campaign = Campaign
col-spend = Spend
col-spend-share = Share of spend
col-roi = ROI
col-cpa = CPA
col-person = Person
col-team = Team
col-kpi-score = KPI score
col-kpis = KPIs
col-off-track = Off track
col-result = Conversion value
col-tasks = Tasks done
col-on-time = On time
col-quality = Quality
col-kpi = KPI
col-owner = Answers for it
col-status = Status
col-value = Value
col-achievement = Achievement
col-day = Day
col-series = Series
col-expected = Expected
col-score = Score
col-competitor = Competitor
col-months = Months
col-factor = Factor
col-contribution = Contribution
col-month = Month
col-final-score = Final score
status-off_track = off track
status-at_risk = at risk
significant = significant (p = { $p })
not-significant = not significant (p = { $p })
quadrant-strength = Strengths
quadrant-weakness = Weaknesses
quadrant-opportunity = Opportunities
quadrant-threat = Threats
kind-share_of_voice = Share of voice
kind-price = Average price
kind-traffic = Visits a month
us = Us
series-spend = spend
series-clicks = clicks
series-conversions = conversions
series-orders = orders
series-sessions = sessions
factor-sessions = Sessions
factor-orders_per_session = Orders per session
factor-aov = Average order value
factor-conversion_rate = Conversion rate
factor-value_per_conversion = Value per conversion
factor-cpc = Cost per click
driver-order_revenue = Revenue
driver-roas = ROAS
driver-before = Before
driver-after = After
nothing = Nothing to show for this period.
no-people = No one in this scope has figures for the period, or you do not see them.
no-evaluation = No finished review cycle covers people you manage here.
no-competitors = No competitor figures are entered for this period (Reports → Competitors).
no-problems = No KPI is off track or at risk.
eval-bands = Final scores by band
kpi-changes = Change against { $compare }
mail-attached = The whole report is attached: { $file }.
# Sentences. Every one carries the numbers it rests on.
s-metric-change = { $metric } was { $now } against { $before } in { $compare } ({ $change }).
s-metric-flat = { $metric } was { $now }, the same as in { $compare }.
s-metric-only = { $metric } was { $now }; { $compare } has no value to compare with.
s-significant = The change in { $metric } is significant: p = { $p }.
s-not-significant = The change in { $metric } is not significant (p = { $p }): it may be chance.
s-target = { $metric } reached { $achievement } of its target of { $target }.
s-driver = { $metric } moved from { $before } to { $after } ({ $change }). { $parts }.
s-driver-part = { $factor } { $amount }
s-trend-up = Over twelve months { $metric } rose by { $slope } a month (95% interval { $low } to { $high }).
s-trend-down = Over twelve months { $metric } fell by { $slope } a month (95% interval { $low } to { $high }).
s-trend-flat = Over twelve months { $metric } shows no clear trend: the monthly change lies between { $low } and { $high }.
s-channel-best = The best return came from { $name }: ROI { $roi } on { $share } of spend.
s-channel-worst = The weakest return was { $name }: ROI { $roi } on { $share } of spend.
s-campaigns-losing = { $count ->
    [one] One campaign lost money
   *[other] { $count } campaigns lost money
} (ROI below zero), with { $share } of spend between them.
s-problems = { $off ->
    [one] One KPI is off track
   *[other] { $off } KPIs are off track
} and { $risk ->
    [one] one at risk
   *[other] { $risk } at risk
}.
s-problem-worst = The furthest behind is { $metric } ({ $scope }) at { $achievement } of its target.
s-no-problems = All { $count } KPIs of the period are on track.
s-anomalies = { $count ->
    [one] One day stood out
   *[other] { $count } days stood out
} in the daily series; the largest: { $series } on { $day }, { $value } against about { $expected } expected.
s-no-anomalies = None of the { $days } days of the period stood out in spend, clicks, conversions, orders or sessions.
s-people = { $count ->
    [one] One person has
   *[other] { $count } people have
} a KPI score; the median is { $median }.
s-competitor = { $kind }: we are at { $ours }; { $name } leads the competitors at { $theirs }.
s-competitor-none = { $kind }: { $name } leads the competitors at { $theirs }; we have no figure of our own.
s-evaluation = In { $cycle } the median final score was { $median } over { $count ->
    [one] one person
   *[other] { $count } people
}.
