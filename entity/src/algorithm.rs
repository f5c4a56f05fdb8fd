use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "algorithm")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub package: Option<String>,
    pub function: Option<String>,
    pub script_filename: Option<String>,
    pub docker_image: Option<String>,
    pub description: Option<String>,
    pub needs_gpu: Option<bool>,
    #[sea_orm(column_type = "Json", nullable)]
    pub valid_parameters: Option<Json>,
    #[sea_orm(column_type = "Json")]
    pub docker_parameters: Json,
    /// How the local launcher runs it: program and leading arguments (JSON array of strings).
    #[sea_orm(column_type = "Json", nullable)]
    pub local_command: Option<Json>,
    /// Subject of the caller who created the row (docs/security.md); null for rows made by
    /// Causeway itself or before identities existed.
    pub created_by: Option<String>,
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
