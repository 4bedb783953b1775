import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'candidate_references' })
export class ReferenceEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @PrimaryColumn('uuid', { default: () => 'gen_random_uuid()' })
  id!: string;

  @Column('uuid', { name: 'candidate_id' })
  candidateId!: string;

  @Column('uuid', { name: 'contact_id' })
  contactId!: string;

  /** How the reference knows the candidate: "former manager at Initech". */
  @Column('text')
  relationship!: string;

  @Column('text', { name: 'external_id', nullable: true })
  externalId!: string | null;

  @Column('text', { name: 'external_source' })
  externalSource!: string;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  @Column('timestamptz', { name: 'deleted_at', nullable: true })
  deletedAt!: Date | null;
}

@Entity({ name: 'reference_provisions' })
export class ReferenceProvisionEntity {
  @PrimaryColumn('uuid', { name: 'tenant_id' })
  tenantId!: string;

  @PrimaryColumn('uuid', { default: () => 'gen_random_uuid()' })
  id!: string;

  @Column('uuid', { name: 'reference_id' })
  referenceId!: string;

  @Column('uuid', { name: 'lead_id' })
  leadId!: string;

  @Column('timestamptz', { name: 'provided_at' })
  providedAt!: Date;

  @Column('timestamptz', { name: 'created_at' })
  createdAt!: Date;

  @Column('text', { name: 'actor_kind', nullable: true })
  actorKind!: string | null;

  @Column('uuid', { name: 'actor_id', nullable: true })
  actorId!: string | null;
}
