// Word lists for generated people, departments and content (a small, plausible organisation).
export const GIVEN_NAMES = [
  'Aaron', 'Abigail', 'Adam', 'Adriana', 'Ahmed', 'Aisha', 'Alan', 'Alice', 'Amara', 'Amelia', 'Ana', 'Andre', 'Anita', 'Anton', 'Arjun', 'Astrid',
  'Ben', 'Bianca', 'Boris', 'Brenda', 'Bruno', 'Carla', 'Carlos', 'Caroline', 'Chen', 'Chloe', 'Chris', 'Clara', 'Daniel', 'Dara', 'David', 'Diana',
  'Diego', 'Elena', 'Eli', 'Emma', 'Erik', 'Eva', 'Fatima', 'Felix', 'Fiona', 'Francesca', 'Gabriel', 'Grace', 'Hana', 'Hannah', 'Hassan', 'Henrik',
  'Hugo', 'Ines', 'Ingrid', 'Isaac', 'Ivan', 'Jack', 'Jade', 'James', 'Jana', 'Javier', 'Julia', 'Kai', 'Karen', 'Kenji', 'Laila', 'Lars',
  'Laura', 'Leo', 'Lena', 'Liam', 'Lina', 'Lucas', 'Lucia', 'Maya', 'Mateo', 'Mei', 'Mia', 'Mohammed', 'Nadia', 'Nina', 'Noah', 'Nora',
  'Olga', 'Omar', 'Oscar', 'Paula', 'Pedro', 'Priya', 'Rafael', 'Rania', 'Ravi', 'Rosa', 'Ruth', 'Sam', 'Sara', 'Sofia', 'Stefan', 'Tariq',
  'Tomas', 'Uma', 'Victor', 'Wei', 'Yara', 'Yusuf', 'Zoe', 'Zara',
];

export const SURNAMES = [
  'Abbott', 'Adeyemi', 'Ahmed', 'Alvarez', 'Andersen', 'Baker', 'Banerjee', 'Becker', 'Bianchi', 'Brown', 'Campbell', 'Castro', 'Chen', 'Clarke',
  'Costa', 'Dubois', 'Duarte', 'Edwards', 'Eriksson', 'Evans', 'Fernandez', 'Fischer', 'Fontaine', 'Garcia', 'Gomez', 'Green', 'Gupta', 'Hall',
  'Hansen', 'Hoffmann', 'Hughes', 'Ibrahim', 'Ito', 'Jensen', 'Johnson', 'Kaur', 'Khan', 'Kim', 'Kowalski', 'Larsen', 'Lee', 'Lopez', 'Martin',
  'Meyer', 'Miller', 'Moreau', 'Murphy', 'Nakamura', 'Nguyen', 'Novak', 'Okafor', 'Olsen', 'Patel', 'Pereira', 'Petrov', 'Quinn', 'Rossi',
  'Santos', 'Schmidt', 'Silva', 'Singh', 'Smith', 'Sousa', 'Suzuki', 'Tanaka', 'Taylor', 'Thomas', 'Torres', 'Wagner', 'Walker', 'Wang',
  'Weber', 'White', 'Williams', 'Wilson', 'Wong', 'Yamamoto', 'Young', 'Zhang', 'Zimmermann',
];

/** Departments with the job titles found in them (the first is the department head's). */
export const DEPARTMENTS: { name: string; titles: string[] }[] = [
  { name: 'Sales', titles: ['Sales Director', 'Account Manager', 'Sales Representative', 'Sales Operations Analyst'] },
  { name: 'Marketing', titles: ['Marketing Director', 'Marketing Manager', 'Content Strategist', 'Brand Designer'] },
  { name: 'Finance', titles: ['Chief Financial Officer', 'Financial Analyst', 'Accountant', 'Payroll Specialist'] },
  { name: 'Human Resources', titles: ['HR Director', 'HR Business Partner', 'Recruiter', 'HR Coordinator'] },
  { name: 'IT', titles: ['IT Director', 'Systems Engineer', 'Service Desk Analyst', 'Security Engineer'] },
  { name: 'Engineering', titles: ['VP Engineering', 'Software Engineer', 'QA Engineer', 'Product Manager'] },
  { name: 'Operations', titles: ['Operations Director', 'Operations Manager', 'Logistics Coordinator', 'Facilities Manager'] },
  { name: 'Legal', titles: ['General Counsel', 'Corporate Lawyer', 'Paralegal', 'Compliance Officer'] },
  { name: 'Customer Success', titles: ['Head of Customer Success', 'Customer Success Manager', 'Support Engineer', 'Onboarding Specialist'] },
];

export const PROJECTS = ['Phoenix', 'Atlas', 'Horizon', 'Northwind', 'Aurora', 'Everest', 'Mercury', 'Orion', 'Polaris', 'Summit', 'Tidewater', 'Vanguard'];

export const SUBJECT_TOPICS = [
  'Quarterly review', 'Budget for next year', 'Customer escalation', 'Team offsite', 'Release plan', 'Contract renewal', 'Hiring update',
  'Weekly status', 'Security advisory', 'Board presentation', 'Travel approval', 'Invoice', 'Training schedule', 'Office move', 'Project kickoff',
];

export const FILE_KINDS: { ext: string; folder: string; words: string[] }[] = [
  { ext: 'docx', folder: 'Documents', words: ['Proposal', 'Minutes', 'Plan', 'Report', 'Notes'] },
  { ext: 'xlsx', folder: 'Documents/Finance', words: ['Budget', 'Forecast', 'Expenses', 'Pipeline'] },
  { ext: 'pptx', folder: 'Presentations', words: ['Kickoff', 'Review', 'Roadmap', 'Update'] },
  { ext: 'txt', folder: 'Notes', words: ['Ideas', 'Todo', 'Checklist'] },
];
