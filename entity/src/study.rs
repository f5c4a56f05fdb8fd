//! A study: datasets × algorithms × parameter grids, one experiment per point (issue 14).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "study")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub name: String,
    pub description: Option<String>,
    pub created_at: DateTimeWithTimeZone,
    /// Subject of the caller who created it; null for the seeded study.
    pub created_by: Option<String>,
    /// `{"dataset_ids": [..], "algorithms": [..]}` as requested (`json`: key order kept).
    #[sea_orm(column_type = "Json")]
    pub spec: Json,
    /// When the latest round of its jobs was started (null: never started as a study).
    pub started_at: Option<DateTimeWithTimeZone>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::experiment::Entity")]
    Experiment,
}

impl Related<super::experiment::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Experiment.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
