use sea_orm::entity::prelude::*;

/// A result edge (`result_id` set) or a ground-truth edge (`result_id` NULL, `is_ground_truth`).
#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "edge")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub result_id: Option<i32>,
    pub from_node_id: i32,
    pub to_node_id: i32,
    pub weight: Option<f64>,
    pub is_ground_truth: Option<bool>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
