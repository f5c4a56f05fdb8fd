use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "sepset")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub result_id: i32,
    pub from_node_id: i32,
    pub to_node_id: i32,
    pub statistic: f64,
    pub level: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
