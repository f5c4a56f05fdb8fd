use sea_orm::entity::prelude::*;

use crate::enums::EdgeAnnotation;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "edge_information")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub result_id: i32,
    pub from_node_id: i32,
    pub to_node_id: i32,
    pub annotation: EdgeAnnotation,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
