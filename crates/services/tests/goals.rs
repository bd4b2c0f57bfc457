//! Goals, SMART, progress, roll-up and tasks on both backends: a draft may
//! fail SMART but cannot be activated; measured progress follows the
//! target's direction with values computed from imported facts; parents
//! roll up their children by weight; cycles and scopes that do not hold
//! are refused and leave nothing stored; the task workflow, its rights,
//! time and ratings; and the task measures the KPI layer reads.

use std::io::Cursor;

use mkpi_domain::kpi::Status;
use mkpi_domain::period::Period;
use mkpi_services::demo::DemoDepartment;
use mkpi_services::goals::GoalInput;
use mkpi_services::imports::ImportRequest;
use mkpi_services::metrics::ScopeRef;
use mkpi_services::tasks::{TaskInput, TaskQuery};
use mkpi_services::users::Principal;
use mkpi_services::{Actor, AuthSettings, Clock, Error, Services, Store};
use mkpi_store::testing;

/// 2026-09-21 (a Monday), long after the March 2025 facts.
const NOW: i64 = 1_790_000_000;

async fn services(url: &str) -> (Services, DemoDepartment) {
    let s = Services::new(
        Store::open(url).await.unwrap(),
        Clock::fixed(NOW),
        AuthSettings::default(),
    );
    let demo = s.seed_demo(42).await.unwrap();
    (s, demo)
}

async fn actor(s: &Services, login: &str) -> Actor {
    s.login(login, "demo", "t").await.unwrap().actor
}

async fn import(s: &Services, preset: &str, text: &str) {
    let preset = s.preset(Principal::Operator, preset).await.unwrap();
    let request = ImportRequest {
        source: "test.csv".into(),
        preset,
        dry_run: false,
        people: Vec::new(),
    };
    let r = s
        .import_file(
            Principal::Operator,
            Cursor::new(text.as_bytes().to_vec()),
            request,
        )
        .await
        .unwrap();
    assert!(r.problems.is_empty(), "{:?}", r.problems);
}

/// Search ads in March 2025: 400 ₽ for 200 clicks, a CPC of 2.00.
async fn march_ads(s: &Services) {
    let head = actor(s, "head").await;
    let manager = actor(s, "manager").await.employee_id.unwrap();
    let people = s.list_employees(&head).await.unwrap();
    let m = people
        .iter()
        .find(|e| e.id == manager)
        .unwrap()
        .email
        .clone();
    import(
        s,
        "mkpi-campaigns",
        &format!(
            "campaign,name,channel,owner,budget,currency,start,end\n\
             C1,Search,paid_search,{m},3100.00,RUB,2025-03-01,2025-03-31\n"
        ),
    )
    .await;
    import(
        s,
        "mkpi-ad-stats",
        "date,campaign,impressions,clicks,spend,conversions,conversion_value,currency\n\
         2025-03-01,C1,1000,50,100.00,5,400.00,RUB\n\
         2025-03-15,C1,3000,150,300.00,15,1200.00,RUB\n",
    )
    .await;
}

fn draft(scope: String, title: &str) -> GoalInput {
    GoalInput {
        scope,
        title: title.into(),
        description: "Sell more than last year".into(),
        budget: Some(100_000.0),
        currency: Some("RUB".into()),
        business_goal: "Grow the business".into(),
        ..GoalInput::default()
    }
}

fn measured(scope: String, title: &str) -> GoalInput {
    GoalInput {
        metric_code: Some("cpc".into()),
        baseline: Some(2.5),
        target: Some(1.5),
        start_on: Some("2025-03-01".into()),
        deadline_on: Some("2025-03-31".into()),
        ..draft(scope, title)
    }
}

fn fields(e: Error) -> Vec<String> {
    match e {
        Error::Invalid(p) => p.into_iter().map(|p| p.field).collect(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

async fn goal_count(s: &Services) -> usize {
    let head = actor(s, "head").await;
    fn count(v: &[mkpi_services::goals::GoalView]) -> usize {
        v.iter().map(|g| 1 + count(&g.children)).sum()
    }
    count(&s.goal_tree(&head, None).await.unwrap())
}

#[tokio::test]
async fn a_goal_failing_smart_is_saved_as_a_draft_but_activated_only_once_fixed() {
    for db in testing::all().await {
        let (s, demo) = services(&db.url).await;
        let manager = actor(&s, "manager").await;
        let team = format!("team:{}", demo.team_ids[0]);

        // "Increase sales": no measure, no dates.
        let v = s
            .create_goal(&manager, &draft(team.clone(), "Increase sales"))
            .await
            .unwrap();
        assert_eq!(v.goal.status, "draft");
        let failing: String = v
            .smart
            .letters()
            .iter()
            .filter(|(_, ok)| !ok)
            .map(|(l, _)| *l)
            .collect();
        assert_eq!(failing, "MT");
        let id = v.goal.id;

        // Activation lists every missing part and changes nothing.
        let e = s.set_goal_status(&manager, id, "active").await.unwrap_err();
        assert_eq!(
            fields(e),
            [
                "metric_code",
                "baseline",
                "target",
                "start_on",
                "deadline_on"
            ]
        );
        let e = s
            .create_goal(
                &manager,
                &GoalInput {
                    status: Some("active".into()),
                    ..draft(team.clone(), "Increase sales")
                },
            )
            .await
            .unwrap_err();
        assert_eq!(fields(e).len(), 5);
        assert_eq!(goal_count(&s).await, 1);

        // Fixed: measured by CPC, dated; then activated.
        let fixed = s
            .update_goal(
                &manager,
                id,
                &measured(team.clone(), "Cut the cost per click"),
            )
            .await
            .unwrap();
        assert!(fixed.smart.passes());
        let active = s.set_goal_status(&manager, id, "active").await.unwrap();
        assert_eq!(active.goal.status, "active");
        // An active goal cannot be edited back into failing SMART.
        let e = s
            .update_goal(&manager, id, &draft(team.clone(), "Cut the cost per click"))
            .await
            .unwrap_err();
        assert_eq!(
            fields(e),
            [
                "metric_code",
                "baseline",
                "target",
                "start_on",
                "deadline_on"
            ]
        );
        let e = s
            .set_goal_status(&manager, id, "planned")
            .await
            .unwrap_err();
        assert_eq!(fields(e), ["status"]);
        let e = s.set_goal_status(&manager, id, "active").await.unwrap_err();
        match e {
            Error::Invalid(p) => assert_eq!(
                p[0].message,
                "the goal: cannot go from active to active; allowed: done, draft, cancelled"
            ),
            other => panic!("{other:?}"),
        }
        let head = actor(&s, "head").await;
        let log = s.audit_log(&head, Some("goal"), 50, 0).await.unwrap();
        let goal_changes = log.iter().filter(|e| e.entity == "goal").count();
        assert_eq!(goal_changes, 3, "create, update, activate");
    }
}

#[tokio::test]
async fn measured_progress_comes_from_the_facts_in_the_targets_direction_and_parents_roll_up() {
    for db in testing::all().await {
        let (s, demo) = services(&db.url).await;
        march_ads(&s).await;
        let head = actor(&s, "head").await;
        let parent = s
            .create_goal(
                &head,
                &GoalInput {
                    start_on: Some("2025-01-01".into()),
                    deadline_on: Some("2025-12-31".into()),
                    ..draft("department".into(), "Serve customers better")
                },
            )
            .await
            .unwrap()
            .goal
            .id;
        let team = format!("team:{}", demo.team_ids[0]);
        let child = |title: &str, weight: f64| GoalInput {
            parent_id: Some(parent),
            weight: Some(weight),
            status: Some("active".into()),
            ..measured(team.clone(), title)
        };
        // CPC from 2.50 to 1.50 is half done at 2.00 (400 ₽ / 200 clicks).
        let cpc = s
            .create_goal(&head, &child("Cut the cost per click", 2.0))
            .await
            .unwrap();
        assert_eq!(cpc.current_value, Some(2.0));
        assert_eq!(cpc.progress, Some(0.5));
        assert_eq!(cpc.progress_source, "metric");
        assert!(!cpc.projected);
        // Past its deadline and not met: off track.
        assert_eq!(cpc.pace, Status::OffTrack);

        let counted = s
            .create_goal(
                &head,
                &GoalInput {
                    metric_code: None,
                    unit: Some("partner agreements".into()),
                    baseline: Some(0.0),
                    target: Some(3.0),
                    ..child("Sign three partners", 1.0)
                },
            )
            .await
            .unwrap()
            .goal
            .id;
        let p = s
            .add_goal_progress(&head, counted, Some(3.0), None, "all three signed")
            .await
            .unwrap();
        assert_eq!((p.value, p.progress), (Some(3.0), Some(1.0)));
        // A metric goal takes no value by hand.
        let e = s
            .add_goal_progress(&head, cpc.goal.id, Some(1.0), None, "")
            .await
            .unwrap_err();
        assert_eq!(fields(e), ["value"]);

        // Web analytics belong to the department: a team cannot be measured by sessions.
        let e = s
            .create_goal(
                &head,
                &GoalInput {
                    metric_code: Some("sessions".into()),
                    baseline: Some(10.0),
                    target: Some(30.0),
                    ..child("Raise sessions", 1.0)
                },
            )
            .await
            .unwrap_err();
        match e {
            Error::Invalid(p) => assert_eq!(
                (p.len(), p[0].field.as_str(), p[0].message.as_str()),
                (
                    1,
                    "metric_code",
                    "sessions cannot be measured for Performance-маркетинг: its data belongs to the department as a whole; measure the department's goal with it, or choose a metric of ads, orders or tasks"
                )
            ),
            other => panic!("{other:?}"),
        }
        // An active child with nothing to measure yet (no tasks were due) counts as 0.
        s.create_goal(
            &head,
            &GoalInput {
                metric_code: Some("on_time_rate".into()),
                baseline: Some(0.5),
                target: Some(0.9),
                ..child("Deliver on time", 1.0)
            },
        )
        .await
        .unwrap();
        // A cancelled child is left out, whatever its weight.
        let cancelled = s
            .create_goal(&head, &child("Abandoned idea", 5.0))
            .await
            .unwrap()
            .goal
            .id;
        s.set_goal_status(&head, cancelled, "cancelled")
            .await
            .unwrap();

        let d = s.goal(&head, parent).await.unwrap();
        // (2 × 0.5 + 1 × 1 + 1 × 0) / 4
        assert_eq!(d.view.progress, Some(0.5));
        assert_eq!(d.view.progress_source, "children");
        assert_eq!(d.view.empty_children, 1);
        assert_eq!(d.view.children.len(), 4);
        // The tree says the same.
        let tree = s.goal_tree(&head, None).await.unwrap();
        assert_eq!(tree.len(), 1);
        assert_eq!(tree[0].progress, Some(0.5));
        // The daily snapshot keeps computed progress: one per goal and day.
        assert_eq!(s.snapshot_goals().await.unwrap(), 3);
        assert_eq!(s.snapshot_goals().await.unwrap(), 3);
        let d = s.goal(&head, cpc.goal.id).await.unwrap();
        let snapshots: Vec<(String, Option<f64>, Option<f64>)> = d
            .history
            .iter()
            .filter(|p| p.kind == "snapshot")
            .map(|p| (p.day.clone(), p.value, p.progress))
            .collect();
        assert_eq!(
            snapshots,
            [("2026-09-21".to_string(), Some(2.0), Some(0.5))]
        );
        // The measured goal's chart: March 2025 alone.
        let d = s.goal(&head, cpc.goal.id).await.unwrap();
        assert_eq!(d.trend, vec![("2025-03-01".to_string(), Some(2.0))]);
    }
}

#[tokio::test]
async fn cycles_and_parents_that_do_not_hold_the_scope_are_refused_and_store_nothing() {
    for db in testing::all().await {
        let (s, demo) = services(&db.url).await;
        let head = actor(&s, "head").await;
        let top = s
            .create_goal(&head, &draft("department".into(), "Grow online sales"))
            .await
            .unwrap()
            .goal
            .id;
        let team = format!("team:{}", demo.team_ids[0]);
        let mid = s
            .create_goal(
                &head,
                &GoalInput {
                    parent_id: Some(top),
                    ..draft(team.clone(), "Grow search sales")
                },
            )
            .await
            .unwrap()
            .goal
            .id;
        let low = s
            .create_goal(
                &head,
                &GoalInput {
                    parent_id: Some(mid),
                    ..draft(
                        format!("employee:{}", demo.employee_employee_id),
                        "Tune search bids",
                    )
                },
            )
            .await
            .unwrap()
            .goal
            .id;
        let sub = s
            .create_goal(
                &head,
                &GoalInput {
                    parent_id: Some(top),
                    ..draft("department".into(), "Grow repeat sales")
                },
            )
            .await
            .unwrap()
            .goal
            .id;
        // The department goal cannot sit below a goal below it.
        let e = s
            .update_goal(
                &head,
                top,
                &GoalInput {
                    parent_id: Some(sub),
                    ..draft("department".into(), "Grow online sales")
                },
            )
            .await
            .unwrap_err();
        match e {
            Error::Invalid(p) => {
                assert_eq!(p.len(), 1);
                assert_eq!(p[0].field, "parent_id");
                assert_eq!(
                    p[0].message,
                    format!("goal {sub} is this goal or lies below it; a goal cannot serve itself")
                );
            }
            other => panic!("{other:?}"),
        }
        // A team goal cannot serve a person's goal, and a person of the
        // brand team cannot serve the performance team's goal.
        let e = s
            .update_goal(
                &head,
                mid,
                &GoalInput {
                    parent_id: Some(low),
                    ..draft(team.clone(), "Grow search sales")
                },
            )
            .await
            .unwrap_err();
        assert_eq!(fields(e), ["parent_id", "parent_id"]);
        let brand_person = demo.employee_ids[9];
        let e = s
            .create_goal(
                &head,
                &GoalInput {
                    parent_id: Some(mid),
                    ..draft(format!("employee:{brand_person}"), "Write brand guide")
                },
            )
            .await
            .unwrap_err();
        assert_eq!(fields(e), ["parent_id"]);
        // Bad fields all at once, nothing stored.
        let e = s
            .create_goal(
                &head,
                &GoalInput {
                    weight: Some(-1.0),
                    metric_code: Some("happiness".into()),
                    start_on: Some("2025-02-30".into()),
                    currency: Some("rubles".into()),
                    parent_id: Some(999_999),
                    ..draft("galaxy:1".into(), "x")
                },
            )
            .await
            .unwrap_err();
        assert_eq!(fields(e), ["scope"]);
        let e = s
            .create_goal(
                &head,
                &GoalInput {
                    weight: Some(-1.0),
                    metric_code: Some("happiness".into()),
                    start_on: Some("2025-02-30".into()),
                    currency: Some("rubles".into()),
                    parent_id: Some(999_999),
                    ..draft("department".into(), "x")
                },
            )
            .await
            .unwrap_err();
        assert_eq!(
            fields(e),
            ["weight", "metric_code", "currency", "start_on", "parent_id"]
        );
        assert_eq!(goal_count(&s).await, 4);
    }
}

#[tokio::test]
async fn people_propose_their_own_goals_and_see_the_cascade_above_them_only() {
    for db in testing::all().await {
        let (s, demo) = services(&db.url).await;
        let head = actor(&s, "head").await;
        let employee = actor(&s, "employee").await;
        let viewer = actor(&s, "viewer").await;
        let me = format!("employee:{}", demo.employee_employee_id);
        let own_team = s
            .create_goal(
                &head,
                &draft(format!("team:{}", demo.team_ids[0]), "Performance goal"),
            )
            .await
            .unwrap()
            .goal
            .id;
        let other_team = s
            .create_goal(
                &head,
                &draft(format!("team:{}", demo.team_ids[2]), "Brand goal"),
            )
            .await
            .unwrap()
            .goal
            .id;
        // A proposal is a draft; the person cannot activate it.
        let e = s
            .create_goal(
                &employee,
                &GoalInput {
                    status: Some("active".into()),
                    ..measured(me.clone(), "Learn web analytics")
                },
            )
            .await
            .unwrap_err();
        assert_eq!(fields(e), ["status"]);
        let mine = s
            .create_goal(&employee, &measured(me.clone(), "Learn web analytics"))
            .await
            .unwrap();
        assert!(mine.can_edit);
        assert!(matches!(
            s.set_goal_status(&employee, mine.goal.id, "active").await,
            Err(Error::Forbidden)
        ));
        // Their manager activates it; then the person may no longer edit it.
        let manager = actor(&s, "manager").await;
        s.set_goal_status(&manager, mine.goal.id, "active")
            .await
            .unwrap();
        let e = s
            .update_goal(&employee, mine.goal.id, &measured(me.clone(), "Learn more"))
            .await
            .unwrap_err();
        assert_eq!(fields(e), ["status"]);
        // Nor set goals for the team or the department.
        assert!(matches!(
            s.create_goal(
                &employee,
                &draft(format!("team:{}", demo.team_ids[0]), "Mine")
            )
            .await,
            Err(Error::Forbidden)
        ));
        // They see their team's goal and their own, not the brand team's.
        let titles = |v: Vec<mkpi_services::goals::GoalView>| {
            let mut t: Vec<String> = v.into_iter().map(|g| g.goal.title).collect();
            t.sort();
            t
        };
        assert_eq!(
            titles(s.goal_tree(&employee, None).await.unwrap()),
            ["Learn web analytics", "Performance goal"]
        );
        assert!(matches!(
            s.goal(&employee, other_team).await,
            Err(Error::NotFound)
        ));
        assert!(s.goal(&employee, own_team).await.is_ok());
        // The viewer sees department and team goals, not personal ones.
        assert_eq!(
            titles(s.goal_tree(&viewer, None).await.unwrap()),
            ["Brand goal", "Performance goal"]
        );
        assert!(matches!(
            s.goal(&viewer, mine.goal.id).await,
            Err(Error::NotFound)
        ));
    }
}

#[tokio::test]
async fn tasks_move_along_their_workflow_are_timed_rated_and_counted() {
    for db in testing::all().await {
        let (s, demo) = services(&db.url).await;
        let manager = actor(&s, "manager").await;
        let employee = actor(&s, "employee").await;
        let me = demo.employee_employee_id;
        let goal = s
            .create_goal(
                &manager,
                &draft(format!("employee:{me}"), "Ship the spring campaign"),
            )
            .await
            .unwrap()
            .goal
            .id;
        let input = TaskInput {
            title: "Brief the designer".into(),
            kind: "campaign".into(),
            assignee_employee_id: Some(me),
            priority: Some("high".into()),
            due: "2026-09-25".into(),
            estimate_hours: Some(4.0),
            goal_id: Some(goal),
            ..TaskInput::default()
        };
        // Bad input: every problem, nothing stored.
        let e = s
            .create_task(
                &manager,
                &TaskInput {
                    kind: "party".into(),
                    priority: Some("asap".into()),
                    due: "soon".into(),
                    estimate_hours: Some(-1.0),
                    goal_id: Some(999_999),
                    ..input.clone()
                },
            )
            .await
            .unwrap_err();
        assert_eq!(
            fields(e),
            ["kind", "priority", "due", "estimate_hours", "goal_id"]
        );
        let all = TaskQuery::default();
        assert!(s.list_tasks(&manager, &all).await.unwrap().is_empty());

        let t = s.create_task(&manager, &input).await.unwrap();
        assert_eq!(
            (t.status.as_str(), t.task.clone()),
            ("planned", format!("MK-{}", t.id))
        );
        // An employee sets tasks only for themself: others are not theirs to see.
        let e = s
            .create_task(
                &employee,
                &TaskInput {
                    assignee_employee_id: Some(demo.manager_employee_id),
                    ..input.clone()
                },
            )
            .await
            .unwrap_err();
        assert_eq!(fields(e), ["assignee_employee_id"]);
        let e = s
            .set_task_status(&employee, t.id, "done")
            .await
            .unwrap_err();
        match e {
            Error::Invalid(p) => assert_eq!(
                p[0].message,
                "the task: cannot go from planned to done; allowed: in_progress, cancelled"
            ),
            other => panic!("{other:?}"),
        }
        s.set_task_status(&employee, t.id, "in_progress")
            .await
            .unwrap();
        s.log_task_time(&employee, t.id, "2026-09-21", 2.5, "first draft")
            .await
            .unwrap();
        let t2 = s
            .log_task_time(&employee, t.id, "2026-09-20", 1.0, "")
            .await
            .unwrap();
        assert_eq!(t2.spent_hours, Some(3.5));
        let e = s
            .log_task_time(&employee, t.id, "2026-09-22", 1.0, "")
            .await
            .unwrap_err();
        assert_eq!(fields(e), ["date"]);
        assert!(matches!(
            s.log_task_time(&manager, t.id, "2026-09-21", 1.0, "").await,
            Err(Error::Forbidden)
        ));
        // Rated only when done, by the manager, 1 to 5.
        let e = s.rate_task(&manager, t.id, 4, "").await.unwrap_err();
        assert_eq!(fields(e), ["status"]);
        let done = s.set_task_status(&employee, t.id, "done").await.unwrap();
        assert_eq!(done.completed.as_deref(), Some("2026-09-21"));
        let e = s
            .set_task_status(&employee, t.id, "review")
            .await
            .unwrap_err();
        assert_eq!(fields(e), ["status"]);
        assert!(matches!(
            s.rate_task(&employee, t.id, 5, "").await,
            Err(Error::Forbidden)
        ));
        let e = s.rate_task(&manager, t.id, 6, "").await.unwrap_err();
        assert_eq!(fields(e), ["quality"]);
        let rated = s.rate_task(&manager, t.id, 4, "Clear brief").await.unwrap();
        assert_eq!(
            (rated.quality, rated.quality_comment.as_deref()),
            (Some(4), Some("Clear brief"))
        );
        // The task measures count it for the assignee: done on time, quality 4.
        let week = Period::parse("2026-09-14", "2026-09-28").unwrap();
        let codes: Vec<String> = ["tasks_done", "on_time_rate", "avg_quality"]
            .map(String::from)
            .to_vec();
        let v = s
            .metric_values(&manager, &codes, &ScopeRef::Employee(me), week)
            .await
            .unwrap();
        let values: Vec<Option<f64>> = v.iter().map(|a| a.value).collect();
        assert_eq!(values, [Some(1.0), Some(1.0), Some(4.0)]);
        // The goal takes its progress from its tasks.
        let g = s.goal(&manager, goal).await.unwrap();
        assert_eq!(
            (g.view.progress, g.view.progress_source, g.view.tasks_done),
            (Some(1.0), "tasks", 1)
        );
        assert_eq!(g.tasks.len(), 1);
        // Others outside the person's scope do not see the task.
        let outsider_view = s.task(&actor(&s, "viewer").await, t.id).await;
        assert!(outsider_view.is_ok(), "the viewer sees everyone's work");
        let overdue = s
            .list_tasks(
                &manager,
                &TaskQuery {
                    overdue: true,
                    ..TaskQuery::default()
                },
            )
            .await
            .unwrap();
        assert!(overdue.is_empty());
        // One task due before today and not done is overdue; one due later is not yet.
        let late = s
            .create_task(
                &manager,
                &TaskInput {
                    title: "Book the venue".into(),
                    due: "2026-09-18".into(),
                    ..input.clone()
                },
            )
            .await
            .unwrap();
        s.create_task(
            &manager,
            &TaskInput {
                title: "Print the flyers".into(),
                due: "2026-09-24".into(),
                ..input.clone()
            },
        )
        .await
        .unwrap();
        let overdue = s
            .list_tasks(
                &manager,
                &TaskQuery {
                    overdue: true,
                    ..TaskQuery::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(overdue.iter().map(|t| t.id).collect::<Vec<_>>(), [late.id]);
        let v = s
            .metric_values(
                &manager,
                &["tasks_overdue".to_string()],
                &ScopeRef::Employee(me),
                week,
            )
            .await
            .unwrap();
        assert_eq!(v[0].value, Some(1.0));
        // The board shows open work and recently finished work only.
        let current = s
            .list_tasks(
                &manager,
                &TaskQuery {
                    finished_since: Some("2026-09-22".into()),
                    ..TaskQuery::default()
                },
            )
            .await
            .unwrap();
        let mut titles: Vec<&str> = current.iter().map(|t| t.title.as_str()).collect();
        titles.sort_unstable();
        assert_eq!(titles, ["Book the venue", "Print the flyers"]);
        let e = s
            .list_tasks(
                &manager,
                &TaskQuery {
                    finished_since: Some("last week".into()),
                    ..TaskQuery::default()
                },
            )
            .await
            .unwrap_err();
        assert_eq!(fields(e), ["finished_since"]);
    }
}

#[tokio::test]
async fn a_trackers_task_keeps_its_status_there_but_is_linked_and_rated_here() {
    for db in testing::all().await {
        let (s, demo) = services(&db.url).await;
        let head = actor(&s, "head").await;
        let manager = actor(&s, "manager").await;
        let employee = actor(&s, "employee").await;
        let people = s.list_employees(&head).await.unwrap();
        let email = people
            .iter()
            .find(|e| e.id == demo.employee_employee_id)
            .unwrap()
            .email
            .clone();
        import(
            &s,
            "mkpi-tasks",
            &format!(
                "task,title,status,assignee,created,due,completed\n\
                 JIRA-7,Landing page copy,Closed,{email},2026-09-01,2026-09-10,2026-09-09\n"
            ),
        )
        .await;
        let tasks = s.list_tasks(&manager, &TaskQuery::default()).await.unwrap();
        assert_eq!(tasks.len(), 1);
        let t = &tasks[0];
        assert_eq!((t.task.as_str(), t.status.as_str()), ("JIRA-7", "done"));
        assert!(t.import_id.is_some());
        let e = s
            .set_task_status(&employee, t.id, "cancelled")
            .await
            .unwrap_err();
        match e {
            Error::Invalid(p) => assert!(
                p[0].message
                    .starts_with("task JIRA-7 comes from a tracker (import "),
                "{}",
                p[0].message
            ),
            other => panic!("{other:?}"),
        }
        let goal = s
            .create_goal(
                &manager,
                &draft(
                    format!("employee:{}", demo.employee_employee_id),
                    "Launch the landing page",
                ),
            )
            .await
            .unwrap()
            .goal
            .id;
        // Only the assignee and their managers link it; a goal must be visible.
        assert!(matches!(
            s.link_task_goal(&actor(&s, "viewer").await, t.id, Some(goal))
                .await,
            Err(Error::Forbidden)
        ));
        let e = s
            .link_task_goal(&employee, t.id, Some(999_999))
            .await
            .unwrap_err();
        assert_eq!(fields(e), ["goal_id"]);
        let linked = s.link_task_goal(&employee, t.id, Some(goal)).await.unwrap();
        assert_eq!(linked.goal_id, Some(goal));
        let rated = s.rate_task(&manager, t.id, 3, "").await.unwrap();
        assert_eq!(rated.quality, Some(3));
        // A later import of the same task keeps the link and the rating.
        import(
            &s,
            "mkpi-tasks",
            &format!(
                "task,title,status,assignee,created,due,completed\n\
                 JIRA-7,Landing page copy (final),Closed,{email},2026-09-01,2026-09-10,2026-09-09\n"
            ),
        )
        .await;
        let d = s.task(&manager, t.id).await.unwrap();
        assert_eq!(
            (
                d.task.title.as_str(),
                d.task.goal_id,
                d.task.quality,
                d.can_move
            ),
            ("Landing page copy (final)", Some(goal), Some(3), false)
        );
        let g = s.goal(&manager, goal).await.unwrap();
        assert_eq!((g.view.progress, g.view.tasks_done), (Some(1.0), 1));

        // A tracker's file cannot take the key of a task made in mkpi.
        let native = s
            .create_task(
                &manager,
                &TaskInput {
                    title: "Native".into(),
                    kind: "other".into(),
                    assignee_employee_id: Some(demo.employee_employee_id),
                    due: "2026-10-01".into(),
                    ..TaskInput::default()
                },
            )
            .await
            .unwrap();
        let preset = s.preset(Principal::Operator, "mkpi-tasks").await.unwrap();
        let text = format!("task,title,assignee\n{},Taken over,{email}\n", native.task);
        let report = s
            .import_file(
                Principal::Operator,
                Cursor::new(text.into_bytes()),
                ImportRequest {
                    source: "takeover.csv".into(),
                    preset,
                    dry_run: false,
                    people: Vec::new(),
                },
            )
            .await
            .unwrap();
        assert!(!report.applied);
        assert_eq!(
            report
                .problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>(),
            [format!(
                "row 2, column 'task', value '{}': keys starting with MK- belong to tasks made in mkpi; give the tracker's own key",
                native.task
            )]
        );
        assert_eq!(
            s.task(&manager, native.id).await.unwrap().task.title,
            "Native"
        );
    }
}

#[tokio::test]
async fn a_scorecard_shows_how_far_the_persons_goals_have_come() {
    for db in testing::all().await {
        let (s, demo) = services(&db.url).await;
        let head = actor(&s, "head").await;
        let me = demo.employee_employee_id;
        let march = Period::parse("2025-03-01", "2025-04-01").unwrap();
        let none = s.goal_achievement(&head, me, march).await.unwrap();
        assert_eq!((none.score, none.goals), (None, 0));
        let mut ids = Vec::new();
        for (title, target, weight) in [
            ("Publish case studies", 4.0, 1.0),
            ("Run webinars", 2.0, 3.0),
        ] {
            let g = s
                .create_goal(
                    &head,
                    &GoalInput {
                        unit: Some("items".into()),
                        baseline: Some(0.0),
                        target: Some(target),
                        weight: Some(weight),
                        status: Some("active".into()),
                        start_on: Some("2025-03-01".into()),
                        deadline_on: Some("2025-03-31".into()),
                        ..draft(format!("employee:{me}"), title)
                    },
                )
                .await
                .unwrap();
            ids.push(g.goal.id);
        }
        s.add_goal_progress(&head, ids[0], Some(1.0), None, "one out")
            .await
            .unwrap();
        s.add_goal_progress(&head, ids[1], Some(2.0), None, "both held")
            .await
            .unwrap();
        // (1 × 1/4 + 3 × 2/2) / 4 = 0.8125.
        let g = s.goal_achievement(&head, me, march).await.unwrap();
        assert_eq!((g.score, g.goals), (Some(0.8125), 2));
        // Outside the caller's people: not found.
        let worker = actor(&s, "employee").await;
        assert!(matches!(
            s.goal_achievement(&worker, demo.employee_ids[9], march)
                .await,
            Err(Error::NotFound)
        ));
    }
}

/// An employee cannot attach a task to a campaign they cannot see, nor
/// learn whether it exists (issue 18, finding 15): the answer is the same
/// as for an id that was never used.
#[tokio::test]
async fn a_task_names_only_campaigns_its_author_sees() {
    for db in testing::all().await {
        let (s, demo) = services(&db.url).await;
        let head = actor(&s, "head").await;
        let employee = actor(&s, "employee").await;
        let me = demo.employee_employee_id;
        // A campaign of the brand team's lead, and one of the employee's own.
        let people = s.list_employees(&head).await.unwrap();
        let email_of = |id: i64| people.iter().find(|e| e.id == id).unwrap().email.clone();
        let other = email_of(demo.employee_ids[8]);
        let mine = email_of(me);
        import(
            &s,
            "mkpi-campaigns",
            &format!(
                "campaign,name,channel,owner\nB1,Brand film,display,{other}\nP1,My search,paid_search,{mine}\n"
            ),
        )
        .await;
        let mut tx = s.store().read().await.unwrap();
        let all = mkpi_store::campaigns::all(&mut tx).await.unwrap();
        drop(tx);
        let id = |ext: &str| all.iter().find(|c| c.external_id == ext).unwrap().id;
        let task = |campaign: i64| TaskInput {
            title: "Check the landing".into(),
            kind: "campaign".into(),
            assignee_employee_id: Some(me),
            due: "2026-09-25".into(),
            campaign_id: Some(campaign),
            ..TaskInput::default()
        };
        let hidden = s.create_task(&employee, &task(id("B1"))).await.unwrap_err();
        let never = s.create_task(&employee, &task(999_999)).await.unwrap_err();
        let message = |e: Error| match e {
            Error::Invalid(p) => p[0]
                .message
                .replace(&id("B1").to_string(), "N")
                .replace("999999", "N"),
            other => panic!("{other:?}"),
        };
        assert_eq!(message(hidden), "there is no campaign N");
        assert_eq!(message(never), "there is no campaign N");
        s.create_task(&employee, &task(id("P1"))).await.unwrap();
        // The head sees every campaign.
        s.create_task(&head, &task(id("B1"))).await.unwrap();
    }
}
