//! What the review tests share: signing in as a demo login or as any
//! person of the demo (given an account on first use), and a full set of
//! ratings for the six default competencies.

#![allow(dead_code)]

use mkpi_services::reviews::RatingInput;
use mkpi_services::users::{NewUserInput, Principal};
use mkpi_services::{Actor, Services};

pub async fn actor(s: &Services, login: &str) -> Actor {
    s.login(login, "demo", "t").await.unwrap().actor
}

/// Signs in as a person of the demo, giving them an account first.
pub async fn person(s: &Services, employee_id: i64) -> Actor {
    let login = format!("p{employee_id}");
    if let Ok(session) = s.login(&login, "long-enough-1", "t").await {
        return session.actor;
    }
    let head = actor(s, "head").await;
    let email = s.get_employee(&head, employee_id).await.unwrap().email;
    s.create_user(
        Principal::Operator,
        NewUserInput {
            login: login.clone(),
            password: "long-enough-1".into(),
            role: "employee".into(),
            employee_email: Some(email),
            locale: None,
        },
    )
    .await
    .unwrap();
    s.login(&login, "long-enough-1", "t").await.unwrap().actor
}

/// The same rating and comment for each of the six default competencies.
pub fn all(rating: i64, comment: &str) -> Vec<RatingInput> {
    [
        "quality",
        "communication",
        "teamwork",
        "creativity",
        "analytics",
        "leadership",
    ]
    .iter()
    .map(|c| RatingInput {
        competency: c.to_string(),
        rating,
        comment: comment.to_string(),
    })
    .collect()
}
