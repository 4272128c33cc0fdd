output "group_name" {
  description = "Name of the students' group"
  value       = try(aws_iam_group.this[0].name, null)
}

output "group_arn" {
  description = "ARN of the students' group"
  value       = try(aws_iam_group.this[0].arn, null)
}

output "users" {
  description = "Students by user name: arn, email, display_name, studio_profile_name, studio_profile_arn"
  value = {
    for name, s in local.students : name => {
      arn                 = aws_iam_user.this[name].arn
      email               = s.email
      display_name        = s.display_name
      studio_profile_name = try(aws_sagemaker_user_profile.this[name].user_profile_name, null)
      studio_profile_arn  = try(aws_sagemaker_user_profile.this[name].arn, null)
    }
  }
}

output "passwords" {
  description = "Generated console passwords by user name (null values when a pgp_key is set)"
  value       = { for name, p in aws_iam_user_login_profile.this : name => p.password }
  sensitive   = true
}

output "encrypted_passwords" {
  description = "Console passwords encrypted with the pgp_key, by user name"
  value       = { for name, p in aws_iam_user_login_profile.this : name => p.encrypted_password }
}
