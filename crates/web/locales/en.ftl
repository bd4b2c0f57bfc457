app-name = mkpi
app-tagline = Marketing department performance

nav-home = Home
nav-people = People
nav-users = Users
nav-audit = Audit log
nav-account = Account
nav-api = API
nav-logout = Sign out
nav-language = Language

role-admin = Administrator
role-head = Department head
role-manager = Manager
role-employee = Employee
role-viewer = Viewer

login-title = Sign in
login-login = Login
login-password = Password
login-submit = Sign in
login-wrong = Wrong login or password.
login-rate-limited = Too many failed sign-in attempts. Try again in { $minutes ->
    [one] one minute
   *[other] { $minutes } minutes
}.
login-expired = Your session has ended. Please sign in again.
login-csrf = The sign-in form expired. Please try again.

home-title = Home
home-welcome = Welcome, { $name }!
home-department = Department
home-teams = Teams
home-headcount = Headcount by team
home-your-scope = You see: { $scope }
scope-all = the whole department
scope-teams = your teams
scope-self = your own data
scope-nobody = nothing yet (your account is not linked to an employee)
people-count = { $count ->
    [one] { $count } person
   *[other] { $count } people
}
teams-count = { $count ->
    [one] { $count } team
   *[other] { $count } teams
}
team-manager = Lead
team-members = Members
team-parent = Part of

people-title = People
people-name = Name
people-position = Position
people-team = Team
people-manager = Manager
people-hire-date = Hired
people-status = Status
people-active = active
people-inactive = inactive
people-none = No one to show.
person-title = Employee
person-email = E-mail

account-title = Account
account-language = Interface language
account-language-auto = Browser language
account-save = Save
account-password = Change password
account-current-password = Current password
account-new-password = New password
account-password-changed = Password changed. Other sessions were signed out.
account-tokens = API tokens
account-token-name = Token name
account-token-create = Create token
account-token-created = Copy this token now; it will not be shown again:
account-token-revoke = Revoke
account-token-prefix = Starts with
account-token-last-used = Last used
account-token-revoked = revoked
account-never = never

users-title = Users
users-login = Login
users-role = Role
users-employee = Employee
users-status = Status
users-create = Create user
users-employee-email = Employee e-mail (optional for admin, head, viewer)
users-locale = Language
users-deactivate = Deactivate
users-activate = Activate
users-reset = Reset password
users-reset-done = New password for { $login }: { $password }
users-created = User { $login } created.

audit-title = Audit log
audit-when = When
audit-who = Who
audit-action = Action
audit-what = What
audit-before = Before
audit-after = After

error-title = Error
error-not-found = Not found.
error-forbidden = You are not allowed to do this.
error-csrf = The form has expired or did not come from mkpi. Reload the page and try again.
error-internal = Something went wrong on our side. The request id is { $id }.
error-invalid = Please correct the following:
error-back = Back to home
no-value = —

nav-imports = Imports
imports-title = Imports
imports-upload = Import a file
imports-preset = Preset
imports-file = File
imports-dry-run = Dry run: check and count, store nothing
imports-submit = Import
imports-help = CSV or TSV in UTF-8, UTF-16 or Windows-1251, or an XLSX workbook (first sheet); formats and presets are described in docs/import-formats.md. Automation can send JSON batches through the
imports-history = History
imports-none = Nothing imported yet.
imports-rollback = Roll back
imports-status-applied = applied
imports-status-rolled_back = rolled back
imports-applied = Imported as #{ $id }.
imports-rejected = { $count ->
    [one] One problem found: nothing was stored.
   *[other] { $count } problems found: nothing was stored.
}
imports-dry-run-ok = Dry run: no problems. Untick "Dry run" and import to store the rows.
imports-detected = Detected: { $encoding }, delimiter "{ $delimiter }", header on row { $row }.
imports-read = Rows read
imports-added = Added
imports-updated = Updated
imports-unchanged = Unchanged
imports-rejected-rows = Rejected
imports-row = Row
imports-column = Column
imports-value = Value
imports-reason = Problem
imports-preview = Preview
imports-preview-title = { $file }: first rows and mapping
imports-field = Field
imports-ignore = — ignore —
imports-mapping-help = Each column feeds the field chosen above it; * marks required fields. Change a choice to map columns the preset does not know.
imports-save-as = Save this mapping as (optional name)
imports-mapping-toml = The mapping as a file (TOML)
imports-saved = saved
imports-mappings = Saved mappings
imports-delete-mapping = Delete
imports-campaigns-created = { $count ->
    [one] One new campaign was created from the report.
   *[other] { $count } new campaigns were created from the report.
}
imports-data-held = Data held
imports-fact = Fact
imports-rows = Rows
imports-from = From
imports-to = To
fact-campaigns = Campaigns
fact-ad_stats = Ad statistics
fact-web_traffic = Web traffic
fact-orders = Orders and deals
fact-lead_stages = Lead stages
fact-survey_responses = Survey responses
fact-social_stats = Social statistics
fact-time_entries = Time entries
fact-tasks = Tasks
imports-manual = Enter a row by hand
imports-manual-open = Open the form
imports-manual-save = Save the row
imports-manual-help = For measures no export carries. The row is checked like any imported one, recorded as an import (source "manual") and can be rolled back; a row with the same key replaces the stored one.
imports-mapping-write = Write or paste a mapping (TOML, see docs/import-formats.md)
imports-mapping-save = Check and save the mapping
imports-changes = Stored values this file changes (the first 50 rows)
imports-key = Key
imports-before = Stored
imports-after = From the file

nav-dashboard = Dashboard
dash-title = Department dashboard
dash-range-month = This month
dash-range-last-month = Last month
dash-range-quarter = This quarter
dash-range-last-quarter = Last quarter
dash-range-year = This year
dash-range-last-year = Last year
dash-from = From
dash-to = To
dash-compare = Compare with
dash-compare-previous = Previous period
dash-compare-year = Same period last year
dash-show = Show
dash-period = { $from } – { $to }
dash-so-far = so far: to { $to }
dash-versus = compared with { $from } – { $to }
dash-was = was { $value }
dash-target = target { $value }
dash-forecast = forecast { $value }
dash-other-kpis = Other KPIs
dash-channels = Traffic by channel
dash-channel = Channel
dash-sessions = Sessions
dash-share = Share
dash-conversions = Conversions
dash-no-traffic = No web traffic in this period.
dash-campaigns = Campaigns by spend
dash-campaign = Campaign
dash-owner = Owner
dash-spend = Spend
dash-value = Conversion value
dash-no-campaigns = No ad statistics in this period.
status-on_track = On track
status-at_risk = At risk
status-off_track = Off track
status-no_data = No data
card-title = Scorecard
card-kpis = KPIs
card-score = weighted achievement { $value }
card-source = Set for
card-source-own = the person
card-source-team = the team
card-source-campaign = their campaign
card-value = Value
card-target = Target
card-achievement = Achievement
card-status = Status
card-weight = Weight
card-unscored = { $count ->
    [one] One KPI has no value or target yet and is left out of the weighted achievement (not counted as 0).
   *[other] { $count } KPIs have no value or target yet and are left out of the weighted achievement (not counted as 0).
}
card-no-kpis = No KPIs are set for this period.
card-time = Time per campaign
card-hours = Hours
card-result = Their share of conversion value
card-per-hour = Per hour
card-no-campaign = Not on a campaign
card-no-time = No time logged in this period.
team-kpi-score = KPI achievement
team-tasks-done = Tasks done
team-on-time = On time
checkin-title = Check-ins
checkin-when = When
checkin-confidence = Confidence
checkin-comment = Comment
checkin-none = No check-ins yet.
checkin-add = Check in
checkin-confidence-5 = 5 — certain to meet
checkin-confidence-4 = 4 — likely
checkin-confidence-3 = 3 — unsure
checkin-confidence-2 = 2 — unlikely
checkin-confidence-1 = 1 — will miss
oneonone-title = 1:1 notes
oneonone-none = No 1:1 notes you may read.
oneonone-shared = shared
oneonone-next = Next steps
oneonone-date = Held on
oneonone-notes = Notes
oneonone-share = Share beyond the two of us (others who see this person may read it)
oneonone-add = Save the notes
flag-title = People to notice
flag-none = No one stands out over the last three months.
flag-top_performer = Top performer
flag-needs_support = Needs support
flag-over = KPI achievement { $values } in { $span }
flag-off-track = KPI achievement below 90%: { $values } in { $span }
flag-falling = KPI achievement falling: { $values } in { $span }
flag-quality = average task quality { $values } over { $span } rated tasks
nav-metrics = Metrics
metrics-title = Metric catalogue
metrics-intro = Every metric is a formula over base measures, computed from the period's sums; a zero denominator gives no value (—).
metrics-code = Code
metrics-name = Name
metrics-formula = Formula
metrics-unit = Unit
metrics-better = Better when
metrics-version = Version
metrics-custom = custom
metrics-direction-higher = higher
metrics-direction-lower = lower
metrics-define = Add a custom metric
metrics-description = Description
metrics-measures = Base measures
metrics-save = Check and save
metrics-saved = Metric { $code } saved.
