use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "experiment")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub dataset_id: i32,
    pub name: Option<String>,
    pub algorithm_id: Option<i32>,
    pub description: Option<String>,
    #[sea_orm(column_type = "Json", nullable)]
    pub parameters: Option<Json>,
    /// Subject of the caller who created the row (docs/security.md); null for rows made by
    /// Causeway itself or before identities existed.
    pub created_by: Option<String>,
    /// Defaults of its jobs' retries of infrastructure failures and their back-off (seconds).
    pub max_retries: i32,
    pub retry_backoff: f64,
    pub retry_backoff_cap: f64,
    /// The study that made it (deleting the study deletes it), if any.
    pub study_id: Option<i32>,
    /// Its point of the study's parameter grid.
    #[sea_orm(column_type = "Json", nullable)]
    pub study_point: Option<Json>,
    /// Index of its entry in the study's `spec.algorithms`.
    pub study_algorithm: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::dataset::Entity",
        from = "Column::DatasetId",
        to = "super::dataset::Column::Id"
    )]
    Dataset,
    #[sea_orm(
        belongs_to = "super::algorithm::Entity",
        from = "Column::AlgorithmId",
        to = "super::algorithm::Column::Id"
    )]
    Algorithm,
    #[sea_orm(has_many = "super::job::Entity")]
    Job,
    #[sea_orm(
        belongs_to = "super::study::Entity",
        from = "Column::StudyId",
        to = "super::study::Column::Id",
        on_delete = "Cascade"
    )]
    Study,
}

impl Related<super::dataset::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Dataset.def()
    }
}

impl Related<super::algorithm::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Algorithm.def()
    }
}

impl Related<super::job::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Job.def()
    }
}

impl Related<super::study::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Study.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
