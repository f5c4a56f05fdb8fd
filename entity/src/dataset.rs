use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "dataset")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub name: Option<String>,
    pub description: Option<String>,
    pub load_query: Option<String>,
    pub data_source: String,
    pub time_created: DateTimeWithTimeZone,
    pub content_hash: String,
    /// Subject of the caller who created the row (docs/security.md); null for rows made by
    /// Causeway itself or before identities existed.
    pub created_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::node::Entity")]
    Node,
    #[sea_orm(has_many = "super::experiment::Entity")]
    Experiment,
}

impl Related<super::node::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Node.def()
    }
}

impl Related<super::experiment::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Experiment.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
