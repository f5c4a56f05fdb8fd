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
    /// Subject of the caller who created the row (docs/security.md); null for rows made by
    /// Causeway itself or before identities existed.
    pub created_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
