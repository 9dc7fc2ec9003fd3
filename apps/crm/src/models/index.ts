import { Activity } from "./activities.js";
import { Attachment } from "./attachments.js";
import { Chat, ChatMember, ChatMessage } from "./chat.js";
import { Lead, LeadStage, LeadTag, Partner } from "./crm.js";
import { Project, Task, TaskStage, TaskTag } from "./projects.js";
import { Product, Sale, SaleLine } from "./sales.js";
import { SavedFilter } from "./saved-filters.js";
import { SalesTeam, Session, User, access } from "./users.js";

export * from "./activities.js";
export * from "./attachments.js";
export * from "./chat.js";
export * from "./events.js";
export * from "./crm.js";
export * from "./projects.js";
export * from "./sales.js";
export * from "./saved-filters.js";
export * from "./users.js";

/** Every model of the CRM's main (OLTP) database, in dependency order. */
export const crmModels = [
  ...access.models,
  User,
  SalesTeam,
  Session,
  Partner,
  LeadStage,
  LeadTag,
  Lead,
  Product,
  Sale,
  SaleLine,
  Activity,
  Project,
  TaskStage,
  TaskTag,
  Task,
  Chat,
  ChatMember,
  ChatMessage,
  Attachment,
  SavedFilter,
] as const;
